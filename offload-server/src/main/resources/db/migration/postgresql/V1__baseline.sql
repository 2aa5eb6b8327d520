-- The baseline: the schema Hibernate 6.6 made (hbm2ddl) of the entities of release 8e0fac5,
-- generated from them with Hibernate's schema export for this database and reviewed.
-- A database made by that release is adopted at this version (surge.persistence.Migrations).
create sequence audit_log_seq start with 1 increment by 20;

create sequence jobs_seq start with 1 increment by 20;

create table api_tokens (
    created_at timestamp(6) with time zone not null,
    expires_at timestamp(6) with time zone,
    revoked_at timestamp(6) with time zone,
    role varchar(20) not null,
    id varchar(40) not null,
    sha256 varchar(64) not null,
    created_by varchar(200) not null,
    user_name varchar(200) not null,
    primary key (id),
    constraint api_tokens_sha256 unique (sha256)
);

create table audit_log (
    at timestamp(6) with time zone not null,
    id bigint not null,
    role varchar(10) not null,
    via varchar(20) not null,
    action varchar(40) not null,
    address varchar(64) not null,
    actor varchar(100) not null,
    target varchar(200) not null,
    detail varchar(1000) not null,
    primary key (id)
);

create table consent_declines (
    decline_day date not null,
    revision integer not null,
    declines bigint not null,
    project varchar(64) not null,
    site varchar(200) not null,
    id varchar(300) not null,
    primary key (id)
);

create table consents (
    cpu integer not null,
    revision integer not null,
    expires_at timestamp(6) with time zone not null,
    issued_at timestamp(6) with time zone not null,
    revoked_at timestamp(6) with time zone,
    id varchar(36) not null,
    project varchar(64) not null,
    site varchar(200) not null,
    primary key (id)
);

create table input_uploads (
    uploaded_at timestamp(6) with time zone not null,
    owner_name varchar(64) not null,
    sha256 varchar(64) not null,
    id varchar(140) not null,
    primary key (id)
);

create table inputs (
    size bigint not null,
    uploaded_at timestamp(6) with time zone not null,
    sha256 varchar(64) not null,
    bytes bytea not null,
    primary key (sha256)
);

create table job_results (
    job_id bigint not null,
    bytes bytea not null,
    primary key (job_id)
);

create table jobs (
    error_exit_code integer,
    error_task integer,
    priority integer not null,
    task_count integer not null,
    task_timeout_seconds integer,
    tasks_done integer not null,
    verify_error float(53),
    created_at timestamp(6) with time zone not null,
    deadline timestamp(6) with time zone,
    finished_at timestamp(6) with time zone,
    id bigint not null,
    result_size bigint,
    started_at timestamp(6) with time zone,
    merge_kind varchar(10) not null check (merge_kind in ('CONCAT','SUM','REDUCE')),
    split varchar(10) check (split in ('LINES','BYTES')),
    state varchar(10) not null check (state in ('QUEUED','RUNNING','MERGING','SUCCEEDED','FAILED','CANCELLED')),
    id_secret varchar(16),
    verify_mode varchar(16),
    input_sha256 varchar(64),
    kernel varchar(64) not null,
    owner_name varchar(64),
    reducer varchar(64),
    slurm_job_id varchar(64),
    verify_compare varchar(80),
    name varchar(200),
    verify_report varchar(200),
    error_message varchar(2000),
    error_stderr varchar(8192),
    args_json varchar(100000) not null,
    env_json varchar(100000) not null,
    primary key (id)
);

create table kernel_approvals (
    approved_at timestamp(6) with time zone not null,
    revoked_at timestamp(6) with time zone,
    sha256 varchar(64) not null,
    note varchar(1000) not null,
    approved_by varchar(255) not null,
    revoked_by varchar(255),
    primary key (sha256)
);

create table kernels (
    size bigint not null,
    uploaded_at timestamp(6) with time zone not null,
    sha256 varchar(64) not null,
    bytes bytea not null,
    primary key (sha256)
);

create table rescues (
    due_at timestamp(6) with time zone not null,
    handed_back_at timestamp(6) with time zone,
    moved_at timestamp(6) with time zone not null,
    slurm_job_id varchar(64) not null,
    original_partition varchar(200) not null,
    slurm_user varchar(200) not null,
    target_partition varchar(200) not null,
    hand_back_note varchar(2000),
    reason varchar(2000) not null,
    primary key (slurm_job_id)
);

create table settings (
    name varchar(100) not null,
    setting_value varchar(4000) not null,
    primary key (name)
);

create table task_outputs (
    millis float(53) not null,
    task_index integer not null,
    job_id bigint not null,
    stdout bytea not null,
    primary key (task_index, job_id)
);

create table volunteer_keys (
    trusted boolean not null,
    created_at timestamp(6) with time zone not null,
    revoked_at timestamp(6) with time zone,
    id varchar(40) not null,
    sha256 varchar(64) not null,
    name varchar(200) not null,
    primary key (id),
    constraint volunteer_keys_sha256 unique (sha256)
);

create table volunteer_standings (
    barred_everywhere boolean not null,
    trusted boolean not null,
    agreements bigint not null,
    disagreements bigint not null,
    spot_failed bigint not null,
    spot_passed bigint not null,
    updated_at timestamp(6) with time zone not null,
    identity varchar(100) not null,
    caught_for varchar(500),
    barred_owners varchar(4000),
    primary key (identity)
);

create index audit_log_at
   on audit_log (at);

create index audit_log_actor
   on audit_log (actor);

create index input_uploads_owner
   on input_uploads (owner_name);

create index jobs_state
   on jobs (state);

create index jobs_owner_state
   on jobs (owner_name, state);
