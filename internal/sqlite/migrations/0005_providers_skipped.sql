-- With a chain of providers (OMNIVIBE_TTS=elevenlabs,openai,espeak) a task
-- records each provider that did not serve a stage, and why (JSON list).
ALTER TABLE audio_tasks ADD COLUMN providers_skipped TEXT NOT NULL DEFAULT '[]';
