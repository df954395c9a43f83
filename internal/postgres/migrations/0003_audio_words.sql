-- A finished voice-over keeps its best attempt's word-by-word check (word,
-- status, heard, start, end), shown by GET /audio/status/{id}.
ALTER TABLE audio_tasks ADD COLUMN words JSONB NOT NULL DEFAULT '[]';
