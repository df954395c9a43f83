-- wrk script: POST /api/v1/audio/generate, spreading requests over many
-- accounts (each may have 100 tasks queued) with a new text each time.
-- Usage: wrk -t2 -c100 -d10s -s generate-audio.lua URL -- TOKENFILE
local thread_id = 0
function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  tokens = {}
  for line in io.lines(args[1]) do table.insert(tokens, line) end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  counter = 0
end

function request()
  counter = counter + 1
  local token = tokens[(counter * 2 + id) % #tokens + 1]
  local body = string.format('{"text":"안녕하세요, 테스트 오디오입니다. %d-%d","voice_id":"default","language":"ko"}', id, counter)
  return wrk.format(nil, nil, {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
