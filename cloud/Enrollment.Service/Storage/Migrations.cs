namespace Enrollment.Service.Storage;

/// <summary>
/// The schema, as an ordered list of migrations shared by SQLite and PostgreSQL. schema_version holds the
/// highest applied number; each migration runs in its own transaction. Append, never edit.
/// </summary>
internal static class Migrations
{
    public static readonly string[] All =
    [
        // 1: initial schema.
        """
        CREATE TABLE principals (
            id {identity},
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            token_hash {blob} NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT NULL);
        CREATE UNIQUE INDEX ux_principals_name ON principals(role, name);
        CREATE UNIQUE INDEX ux_principals_token ON principals(token_hash);
        CREATE TABLE identity_key (
            id INTEGER PRIMARY KEY,
            public_key {blob} NOT NULL,
            private_key {blob} NOT NULL,
            created_at BIGINT NOT NULL);
        CREATE TABLE signed_prekeys (
            spk_id BIGINT PRIMARY KEY,
            public_key {blob} NOT NULL,
            private_key {blob} NULL,
            signature {blob} NOT NULL,
            created_at BIGINT NOT NULL,
            replace_at BIGINT NOT NULL,
            retire_at BIGINT NOT NULL);
        CREATE TABLE one_time_prekeys (
            opk_id BIGINT PRIMARY KEY,
            public_key {blob} NOT NULL,
            private_key {blob} NULL,
            state TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            changed_at BIGINT NOT NULL);
        CREATE INDEX ix_opk_state ON one_time_prekeys(state, opk_id);
        CREATE TABLE bundles (
            bundle_id TEXT PRIMARY KEY,
            opk_id BIGINT NOT NULL UNIQUE,
            spk_id BIGINT NOT NULL,
            enroller_id BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            state TEXT NOT NULL,
            address {blob} NOT NULL);
        CREATE INDEX ix_bundles_state ON bundles(state, expires_at);
        CREATE TABLE enrollees (
            id TEXT PRIMARY KEY,
            eik_hash {blob} NOT NULL,
            eik_public {blob} NULL,
            pet_name TEXT NULL,
            bundle_id TEXT NOT NULL UNIQUE,
            opk_id BIGINT NOT NULL,
            enroller_id BIGINT NOT NULL,
            state TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            enrolled_at BIGINT NULL,
            ik_b {blob} NULL,
            revoked_at BIGINT NULL);
        CREATE INDEX ix_enrollees_eik ON enrollees(eik_hash, created_at);
        CREATE UNIQUE INDEX ux_enrollees_pending_eik ON enrollees(eik_hash) WHERE state = 'pending';
        CREATE INDEX ix_enrollees_state ON enrollees(state, expires_at);
        CREATE TABLE seen_ephemeral_keys (
            ek_b {blob} PRIMARY KEY,
            enrollee_id TEXT NOT NULL,
            message_hash {blob} NOT NULL,
            result {blob} NOT NULL,
            created_at BIGINT NOT NULL);
        CREATE TABLE audit_log (
            id {identity},
            at BIGINT NOT NULL,
            subject TEXT NOT NULL,
            action TEXT NOT NULL,
            actor TEXT NOT NULL,
            detail TEXT NULL);
        CREATE INDEX ix_audit_subject ON audit_log(subject, id);
        """,

        // 2: the secure channel after enrollment (docs/session-protocol.md). One row per enrolled device: the
        // current epoch's K_up || K_down sealed with the KEK, the down-counter reservation (section 5), the
        // up replay window (section 4; counters and bitmaps are uint64 stored as their two's-complement
        // BIGINT), the highest epoch offered (section 7.6) and the broker password's SHA-256. broker_password
        // is the sealed password only until the dynamic-security client is created (then NULL).
        """
        CREATE TABLE device_channels (
            device_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            epoch BIGINT NOT NULL,
            sealed_keys {blob} NOT NULL,
            send_reserved BIGINT NOT NULL,
            recv_any INTEGER NOT NULL,
            recv_top BIGINT NOT NULL,
            recv_low BIGINT NOT NULL,
            recv_high BIGINT NOT NULL,
            offered_epoch BIGINT NOT NULL,
            broker_password_hash {blob} NOT NULL,
            broker_password {blob} NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            revoked_at BIGINT NULL);
        CREATE TABLE device_identity_history (
            id {identity},
            device_id TEXT NOT NULL,
            at BIGINT NOT NULL,
            old_ik {blob} NOT NULL,
            new_ik {blob} NOT NULL,
            request {blob} NOT NULL);
        CREATE INDEX ix_identity_history_device ON device_identity_history(device_id, id);
        CREATE TABLE device_telemetry (
            id {identity},
            device_id TEXT NOT NULL,
            at BIGINT NOT NULL,
            epoch BIGINT NOT NULL,
            counter BIGINT NOT NULL,
            payload {blob} NOT NULL);
        CREATE INDEX ix_telemetry_device ON device_telemetry(device_id, id);
        CREATE TABLE device_commands (
            device_id TEXT NOT NULL,
            command_id BIGINT NOT NULL,
            body {blob} NOT NULL,
            created_at BIGINT NOT NULL,
            acked_at BIGINT NULL,
            ack_status INTEGER NULL,
            ack_detail {blob} NULL,
            PRIMARY KEY (device_id, command_id));
        """,

        // 3: unacknowledged commands are resent at every new epoch (docs/session-protocol.md section 6.2) until
        // they are this old; then they are marked expired instead and never sent again.
        """
        ALTER TABLE device_commands ADD COLUMN expired_at BIGINT NULL;
        """,

        // 4: no index keyed by a random value is written when an enrollment commits. Both indexes below took each
        // enrollment on a random page, which the commit then wrote whole to SQLite's WAL (tests/
        // Enrollment.Service.LoadBench/README.md, session 7: 21.4-21.5 KB written per enrollment before, 8.4-8.9 KB after).
        // - "At most one pending enrollee per Hash(EIK_B)" is kept by the registration itself, which checks it in the
        //   service's single writer (SqlEnrollmentStore.RegisterCoreAsync); the partial unique index dropped an
        //   entry at a random place of its B-tree at every enrollment.
        // - The accepted message's record is keyed by its enrollee (ids lead with their creation time, so new keys go
        //   to the end of the B-tree; one acceptance per enrollee, enforced here). EK_B, random by nature, is no
        //   longer a key: "EK_B seen before" is answered by the in-memory index, loaded from this table at start and
        //   kept by the same writer (SqlEnrollmentStore.ApplyAsync); a stored answer is found through the enrollee.
        """
        DROP INDEX ux_enrollees_pending_eik;
        CREATE TABLE seen_ephemeral_keys_v4 (
            enrollee_id TEXT PRIMARY KEY,
            ek_b {blob} NOT NULL,
            message_hash {blob} NOT NULL,
            result {blob} NOT NULL,
            created_at BIGINT NOT NULL);
        INSERT INTO seen_ephemeral_keys_v4 (enrollee_id, ek_b, message_hash, result, created_at)
            SELECT enrollee_id, ek_b, message_hash, result, created_at FROM seen_ephemeral_keys;
        DROP TABLE seen_ephemeral_keys;
        ALTER TABLE seen_ephemeral_keys_v4 RENAME TO seen_ephemeral_keys;
        """,
    ];

    /// <summary>Every table, for snapshots (tests assert that a rejected message changes none of them).</summary>
    public static readonly string[] Tables =
    [
        "principals", "identity_key", "signed_prekeys", "one_time_prekeys", "bundles", "enrollees",
        "seen_ephemeral_keys", "audit_log", "device_channels", "device_identity_history", "device_telemetry", "device_commands",
    ];
}
