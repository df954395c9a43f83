-- A finished voice-over keeps its best attempt's word-by-word check (JSON:
-- word, status, heard, start, end), shown by GET /audio/status/{id}.
ALTER TABLE audio_tasks ADD COLUMN words TEXT NOT NULL DEFAULT '[]';
