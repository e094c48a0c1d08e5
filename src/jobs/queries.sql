-- sqlite: claim running jobs whose lease expired
update "jobs" set "state" = ?, "locked_by" = ?, "locked_until" = ?, "attempts" = "attempts" + ?, "updated_at" = ? where "id" in (select "id" from "jobs" where "state" = ? and "locked_until" < ? order by "run_at" limit ?) returning *;

-- sqlite: claim due pending jobs
update "jobs" set "state" = ?, "locked_by" = ?, "locked_until" = ?, "attempts" = "attempts" + ?, "updated_at" = ? where "id" in (select "id" from "jobs" where "state" = ? and "run_at" <= ? order by "run_at" limit ?) returning *;

-- postgres: claim running jobs whose lease expired
update "jobs" set "state" = $1, "locked_by" = $2, "locked_until" = $3, "attempts" = "attempts" + $4, "updated_at" = $5 where "id" in (select "id" from "jobs" where "state" = $6 and "locked_until" < $7 order by "run_at" limit $8 for update skip locked) returning *;

-- postgres: claim due pending jobs
update "jobs" set "state" = $1, "locked_by" = $2, "locked_until" = $3, "attempts" = "attempts" + $4, "updated_at" = $5 where "id" in (select "id" from "jobs" where "state" = $6 and "run_at" <= $7 order by "run_at" limit $8 for update skip locked) returning *;
