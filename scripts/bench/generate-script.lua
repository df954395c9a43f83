-- wrk script: POST /api/v1/writer/generate with a new topic per request, so
-- every request writes and stores a script (no cached answers).
-- Usage: wrk -t2 -c100 -d10s -s generate-script.lua URL -- TOKEN
local thread_id = 0
function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  counter = 0
  platforms = {"youtube", "instagram", "tiktok"}
  prefix = string.format("%d-%d", os.time(), id)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"campaign_name":"Campaign %d","topic":"AI 비디오 자동화 %s-%d","platform":"%s","target_duration":%d}',
    counter % 100 + 1, prefix, counter, platforms[counter % 3 + 1], 60 + (counter % 121))
  return wrk.format(nil, nil, nil, body)
end
