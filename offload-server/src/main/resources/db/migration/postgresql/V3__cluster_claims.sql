-- Shared state of several instances (SURGE_CLUSTER=on, PostgreSQL; surge.cluster): each
-- instance's lease and fencing epoch, one claim row per task of a job, and the claim on each
-- job's merge. The tables exist on every database so that Hibernate validates the same entities;
-- a single instance never writes them.
create sequence cluster_epochs start with 1 increment by 1;

create table cluster_instances (
    epoch bigint not null,
    name varchar(200) not null,
    lease_until timestamp(6) with time zone not null,
    started_at timestamp(6) with time zone not null,
    primary key (epoch)
);

create index cluster_instances_lease
   on cluster_instances (lease_until);

create table task_claims (
    job_id bigint not null,
    task_index integer not null,
    state varchar(8) not null check (state in ('PENDING','CLAIMED','DONE')),
    owner varchar(200),
    owner_epoch bigint,
    primary key (job_id, task_index)
);

create index task_claims_runnable
   on task_claims (state, job_id, task_index);

create index task_claims_owner
   on task_claims (owner_epoch);

create table merge_claims (
    job_id bigint not null,
    owner varchar(200),
    owner_epoch bigint,
    claimed_at timestamp(6) with time zone,
    primary key (job_id)
);

create index merge_claims_owner
   on merge_claims (owner_epoch);
