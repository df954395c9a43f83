-- Audio made by the synthetic voice (a generated signal for load tests) is
-- marked in every answer.
ALTER TABLE audio_tasks ADD COLUMN synthetic BOOLEAN NOT NULL DEFAULT false;
-- The reconciler looks for unfinished tasks by age.
CREATE INDEX audio_tasks_unfinished ON audio_tasks(created_at) WHERE status IN ('queued', 'running');
