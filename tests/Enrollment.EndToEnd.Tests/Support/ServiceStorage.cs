using System.Text;
using Microsoft.Data.Sqlite;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>
/// Reads the service's SQLite database from outside the process (read-only; WAL lets a reader sit beside
/// the writer): a full snapshot of every table to prove that a rejection changed nothing, and the counts
/// that say an enrollment happened exactly once.
/// </summary>
internal sealed class ServiceStorage(string databasePath)
{
    /// <summary>Every row of every table (whatever the migrations made), in primary-key order, as text (blobs in hex).</summary>
    public string Snapshot()
    {
        using var connection = Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var names = list.ExecuteReader();
            while (names.Read())
            {
                tables.Add(names.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM " + table + " ORDER BY 1";
            using var reader = command.ExecuteReader();
            text.Append("## ").AppendLine(table);
            while (reader.Read())
            {
                for (int i = 0; i < reader.FieldCount; i++)
                {
                    object v = reader.GetValue(i);
                    text.Append(reader.GetName(i)).Append('=').Append(v is byte[] b ? Convert.ToHexString(b) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    public EnrollmentCounts Counts(string enrolleeRecordId)
    {
        using var connection = Open();
        return new EnrollmentCounts(
            Scalar(connection, "SELECT COUNT(*) FROM enrollees WHERE id = $id AND state = 'enrolled' AND ik_b IS NOT NULL AND eik_public IS NULL", enrolleeRecordId),
            Scalar(connection, "SELECT COUNT(*) FROM one_time_prekeys o JOIN enrollees e ON e.opk_id = o.opk_id WHERE e.id = $id AND o.state = 'used' AND o.private_key IS NULL", enrolleeRecordId),
            Scalar(connection, "SELECT COUNT(*) FROM seen_ephemeral_keys WHERE enrollee_id = $id", enrolleeRecordId),
            Scalar(connection, "SELECT COUNT(*) FROM audit_log WHERE subject = 'enrollee:' || $id AND action = 'enrollee.enrolled'", enrolleeRecordId),
            Scalar(connection, "SELECT COUNT(*) FROM one_time_prekeys WHERE state = 'used'", enrolleeRecordId));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long Scalar(SqliteConnection connection, string sql, string id)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// For one enrollee record: enrolled (with IK_B, EIK_B deleted), its OPK used and its private key deleted, EK_B
/// records, "enrollee.enrolled" audit rows; and OPKs used service-wide.
/// </summary>
internal sealed record EnrollmentCounts(long Enrolled, long OwnOpkUsed, long SeenEphemeralKeys, long EnrolledAuditRows, long OpksUsedInAll);
