-- The dashboard login's failed checks, shared by the instances of a cluster (SURGE_CLUSTER=on;
-- surge.cluster.SharedLoginFailures), so that N instances do not allow N times one instance's
-- guessing rate. One row per address (forgotten 15 minutes after its last failure) and one row,
-- address '*', counting every address's failures in the current minute. Times are the database's.
-- PostgreSQL only: a single instance keeps these counts in memory.
create table login_failures (
    address varchar(64) not null,
    failures integer not null,
    last_failure timestamp(6) with time zone not null,
    window_start timestamp(6) with time zone not null,
    primary key (address)
);

create index login_failures_last on login_failures (last_failure);
