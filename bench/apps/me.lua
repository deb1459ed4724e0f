-- wrk script: GET /me with the API key its dependency chain reads (bench/run.py passes it with -s).
wrk.method = "GET"
wrk.headers["X-Token"] = "tok-1"
