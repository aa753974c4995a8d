-- GET confirm pages, a different link for every request: BENCH_TOKENS names a file of
-- "<token> <nonce>" lines (one appointment and link each); wrk's threads take interleaved lines and
-- start again at the top when they run out (a GET changes nothing, so reading a page twice is fine).
-- Rotating over thousands of links keeps any per-link effect (a cache, a hot row) out of the figure:
-- every request costs what a patient's first visit costs.
local count = 0

function setup(thread)
	thread:set("id", count)
	count = count + 1
end

local requests = {}
local stride, index = 1, 1

function init(args)
	for line in io.lines(os.getenv("BENCH_TOKENS")) do
		local token = line:match("^(%S+)")
		if token then
			requests[#requests + 1] = wrk.format("GET", "/api/action?type=confirm&token=" .. token)
		end
	end
	stride = tonumber(os.getenv("BENCH_THREADS") or "1")
	index = id + 1
end

function request()
	if index > #requests then
		index = ((index - 1) % stride) + 1
	end
	local r = requests[index]
	index = index + stride
	return r
end
