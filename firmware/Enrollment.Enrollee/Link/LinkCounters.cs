namespace Enrollment.Enrollee.Link
{
    /// <summary>What happened on the link since start; for logs, tests and the self-test.</summary>
    public sealed class LinkCounters
    {
        public int FramesAccepted;
        public int CrcErrors;
        public int GarbageBytes;
        public int Duplicates;
        public int OutOfOrder;
        public int UnsupportedVersion;
        public int Retransmissions;
        public int MessagesDelivered;
        public int MessagesSent;
        public int SendFailures;
    }
}
