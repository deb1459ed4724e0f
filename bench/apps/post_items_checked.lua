-- wrk script: POST /items-checked with the body of post_items.lua (bench/run.py passes it with -s).
wrk.method = "POST"
wrk.body = '{"name":"widget","price":12.5,"quantity":3,"tags":["blue","small"],"in_stock":true}'
wrk.headers["Content-Type"] = "application/json"
