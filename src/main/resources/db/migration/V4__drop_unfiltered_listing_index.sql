-- Every status change inserts into every index of jobs (none of those updates is HOT), and the
-- listing index without status cost the queue drain about 15 % of PostgreSQL's capacity
-- (bench/README.md, queue). The unfiltered listing now merges the newest rows of each status
-- from jobs_list_status_idx (one short index scan per status, see JobListing.JOB_LIST).
DROP INDEX harrier.jobs_list_idx;
