-- wrk script: POST /api/v1/campaigns with a unique name per request.
-- Usage: wrk -t2 -c100 -d10s -s create-campaign.lua URL -- TOKEN CLIENT_ID
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  client_id = args[2]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
  prefix = string.format("bench-%d-%d-", os.time(), id)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"%s%d","client_id":%s,"concept_gender":"female","concept_tone":"casual","concept_style":"minimal","target_duration":60}',
    prefix, counter, client_id)
  return wrk.format(nil, nil, nil, body)
end
