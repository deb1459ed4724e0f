-- wrk script: POST /items with a fixed JSON body (bench/run.py passes it with -s).
wrk.method = "POST"
wrk.body = '{"name":"widget","price":12.5,"quantity":3,"tags":["blue","small"],"in_stock":true}'
wrk.headers["Content-Type"] = "application/json"
