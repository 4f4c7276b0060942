-- wrk script of the HTTP benchmarks: POSTs the JSON bodies of a file (one a line) in turn, or
-- GETs when the file is "-"; prints its figures as one JSON line at the end.
-- Arguments: body file or "-", Authorization header value.
local bodies = {}
local next_body = 0

function init(args)
  if args[1] ~= "-" then
    for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  end
  wrk.headers["Authorization"] = args[2]
end

function request()
  if #bodies == 0 then return wrk.format() end
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[next_body])
end

function done(summary, latency)
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "failed": %d, "p50_ms": %.3f, "p99_ms": %.3f, '
    .. '"mean_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
