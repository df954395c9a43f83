-- With a chain of providers (OMNIVIBE_TTS=elevenlabs,openai,espeak) a task
-- records each provider that did not serve a stage, and why.
ALTER TABLE audio_tasks ADD COLUMN providers_skipped JSONB NOT NULL DEFAULT '[]';
