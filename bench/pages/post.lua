-- POST confirm, one fresh link per request: each request presses the button of a different
-- appointment's confirm link with the nonce its page would carry (as a browser's form does, to the
-- page's own URL). BENCH_TOKENS names a file of "<token> <nonce>" lines; wrk's threads take
-- interleaved lines, so no link is pressed twice. Running out wraps around (those presses then
-- find the appointment already confirmed) and is reported.
local threads = {}
local count = 0

function setup(thread)
	thread:set("id", count)
	count = count + 1
	table.insert(threads, thread)
end

local requests = {}
local stride, index = 1, 0
wrapped = 0

function init(args)
	local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
	for line in io.lines(os.getenv("BENCH_TOKENS")) do
		local token, nonce = line:match("^(%S+) (%S+)$")
		if token then
			local path = "/api/action?type=confirm&token=" .. token
			local body = "type=confirm&token=" .. token .. "&nonce=" .. nonce
			requests[#requests + 1] = wrk.format("POST", path, headers, body)
		end
	end
	stride = tonumber(os.getenv("BENCH_THREADS") or "1")
	index = id + 1
end

function request()
	if index > #requests then
		index = ((index - 1) % stride) + 1
		wrapped = wrapped + 1
	end
	local r = requests[index]
	index = index + stride
	return r
end

function done(summary, latency, requests)
	local total = 0
	for _, thread in ipairs(threads) do
		total = total + (thread:get("wrapped") or 0)
	end
	io.write(string.format("wrapped: %d\n", total))
end
