namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// Sliding anti-replay window of <see cref="SessionConstants.ReplayWindowSize"/> (128) counters, as in
    /// RFC 4303 section 3.4.3 and RFC 6479: the highest accepted counter <c>top</c> and a bitmap whose bit d
    /// records whether <c>top - d</c> was accepted. A counter above top is new; one at or more than 128 below
    /// top is too old to judge and is dropped; one inside the window is new once. The bitmap is two 64-bit
    /// words held in fields, so checking and marking never allocate. <see cref="Check"/> runs before the AEAD
    /// and <see cref="Mark"/> only after the tag verified (RFC 4303: the window is updated only for
    /// authentic packets, so forgeries cannot move it).
    /// </summary>
    internal sealed class ReplayWindow
    {
        private bool _any;
        private ulong _top;
        private ulong _low;   // bits d = 0..63
        private ulong _high;  // bits d = 64..127

        /// <summary>Highest accepted counter; meaningless until something was accepted.</summary>
        internal ulong Top
        {
            get { return _top; }
        }

        /// <summary>Copies the window's state out, for a receiver that persists it across restarts.</summary>
        internal void Export(out bool any, out ulong top, out ulong low, out ulong high)
        {
            any = _any;
            top = _top;
            low = _low;
            high = _high;
        }

        /// <summary>Restores a state taken by <see cref="Export"/> (a window with nothing accepted when <paramref name="any"/> is false).</summary>
        internal void Restore(bool any, ulong top, ulong low, ulong high)
        {
            _any = any;
            _top = any ? top : 0;
            _low = any ? low : 0;
            _high = any ? high : 0;
        }

        /// <summary>Accepted, TooOld or Replayed for a candidate counter; changes nothing.</summary>
        internal ChannelOpenStatus Check(ulong counter)
        {
            if (!_any || counter > _top)
            {
                return ChannelOpenStatus.Accepted;
            }

            ulong d = _top - counter;
            if (d >= SessionConstants.ReplayWindowSize)
            {
                return ChannelOpenStatus.TooOld;
            }

            ulong bit = d < 64 ? (_low >> (int)d) & 1UL : (_high >> (int)(d - 64)) & 1UL;
            return bit != 0 ? ChannelOpenStatus.Replayed : ChannelOpenStatus.Accepted;
        }

        /// <summary>Records an authentic counter that <see cref="Check"/> accepted.</summary>
        internal void Mark(ulong counter)
        {
            if (!_any)
            {
                _any = true;
                _top = counter;
                _low = 1UL;
                _high = 0;
                return;
            }

            if (counter > _top)
            {
                ulong shift = counter - _top;
                if (shift >= SessionConstants.ReplayWindowSize)
                {
                    _low = 0;
                    _high = 0;
                }
                else if (shift >= 64)
                {
                    _high = _low << (int)(shift - 64);
                    _low = 0;
                }
                else
                {
                    _high = (_high << (int)shift) | (_low >> (int)(64 - shift));
                    _low <<= (int)shift;
                }

                _low |= 1UL;
                _top = counter;
                return;
            }

            ulong d = _top - counter;
            if (d < 64)
            {
                _low |= 1UL << (int)d;
            }
            else if (d < SessionConstants.ReplayWindowSize)
            {
                _high |= 1UL << (int)(d - 64);
            }
        }
    }
}
