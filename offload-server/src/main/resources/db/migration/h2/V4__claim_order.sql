-- Claims follow the dispatcher's order across the cluster (surge.cluster): the best job first
-- (priority, then deadline, then age), not only within an instance. The job's priority and
-- deadline are copied to its claim rows when they are written, so the claim query reads one index.
alter table task_claims add column priority integer default 0 not null;
alter table task_claims add column deadline timestamp(6) with time zone;

drop index task_claims_runnable;

create index task_claims_runnable
   on task_claims (state, priority desc, deadline, job_id, task_index);
