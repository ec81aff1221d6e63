-- DaemonClient's requests and its error sentences, against small servers that answer what
-- the real daemon will not on demand.
local sdk = require "sdk"
local FakeServer = require "support.fakeserver"
local Daemon = require "support.daemon"
local DaemonClient = require "DaemonClient"
local DaemonErrors = require "DaemonErrors"

local LrHttp = sdk.import "LrHttp"

local function client(url, token)
  return DaemonClient.new({ http = LrHttp, baseUrl = url, token = token })
end

-- Runs fn inside a task, as Lightroom requires for LrHttp, and returns what it returned.
local function inTask(fn)
  local results
  sdk.import("LrTasks").startAsyncTask(function() results = { fn() } end)
  assert.is_true(sdk.runTasks({ timeout = 20 }))
  return unpack(results)
end

describe("DaemonClient", function()
  local servers = {}
  local function serve(status, body, opts)
    local s = FakeServer.start(status, body, opts)
    servers[#servers + 1] = s
    return s
  end

  before_each(function() sdk.reset() end)
  after_each(function()
    for _, s in ipairs(servers) do s.stop() end
    servers = {}
  end)

  it("says the daemon is not running when nothing listens at the address", function()
    local url = "http://127.0.0.1:" .. Daemon.freePort()
    local answer, err = inTask(function() return client(url):health() end)
    assert.is_nil(answer)
    assert.are.equal("DAEMON_DOWN", err.code)
    assert.are.equal("The Junmai daemon is not running at " .. url ..
      " — start it with `npm start` (or the Junmai login item).", err.message)
  end)

  it("says so when the daemon does not answer in time", function()
    local s = serve("200 OK", '{"success":true}', { delay = 3, contentType = "application/json" })
    local answer, err = inTask(function() return client(s.url):get("/api/health", 1) end)
    assert.is_nil(answer)
    assert.are.equal("DAEMON_TIMEOUT", err.code)
    assert.matches("did not answer within 1 s — it may be busy", err.message, 1, true)
    assert.matches(s.url, err.message, 1, true)
  end)

  it("turns an answer that is not JSON into a sentence", function()
    local s = serve("200 OK", "<html><body>It works!</body></html>")
    local answer, err = inTask(function() return client(s.url):listModels() end)
    assert.is_nil(answer)
    assert.are.equal("BAD_RESPONSE", err.code)
    assert.are.equal("The program answering at " .. s.url .. " sent something that is not a Junmai answer (HTTP 200)." ..
      " Check the daemon address in File › Plug-in Manager › Junmai AutoDev.", err.message)
  end)

  it("does the same for a proxy's error page", function()
    local s = serve("502 Bad Gateway", "<h1>Bad Gateway</h1>")
    local _, err = inTask(function() return client(s.url):switchModel("gemma3:4b") end)
    assert.are.equal("BAD_RESPONSE", err.code)
    assert.are.equal(502, err.status)
    assert.matches("(HTTP 502)", err.message, 1, true)
  end)

  it("passes the daemon's own sentence through, with its code", function()
    local body = '{"success":false,"error":"Ollama is not running at http://127.0.0.1:11434. Start Ollama, then try again.","code":"OLLAMA_UNREACHABLE"}'
    local s = serve("503 Service Unavailable", body, { contentType = "application/json" })
    local _, err = inTask(function() return client(s.url):startDownload("gemma3:12b") end)
    assert.are.equal("OLLAMA_UNREACHABLE", err.code)
    assert.are.equal(503, err.status)
    assert.are.equal("Ollama is not running at http://127.0.0.1:11434. Start Ollama, then try again.", err.message)
  end)

  it("explains a refusal that came without a sentence", function()
    local s = serve("500 Internal Server Error", '{"success":false}', { contentType = "application/json" })
    local _, err = inTask(function() return client(s.url):currentModel() end)
    assert.are.equal("DAEMON_ERROR", err.code)
    assert.matches("refused the request without saying why %(HTTP 500%)", err.message)
  end)

  it("notices JSON from something that is not the daemon", function()
    local s = serve("200 OK", '{"hello":"world"}', { contentType = "application/json" })
    local _, err = inTask(function() return client(s.url):health() end)
    assert.are.equal("BAD_RESPONSE", err.code)
    assert.matches("does not look like the Junmai daemon", err.message)
  end)

  it("sends JSON with its content type on POST and DELETE, and the token when there is one", function()
    local s = serve("200 OK", '{"success":true,"job":{}}', { contentType = "application/json" })
    inTask(function()
      local c = client(s.url, "secret-token-123456")
      c:health()
      c:switchModel("gemma3:4b")
      c:cancelDownload("job-1")
      c:resumeDownload("job-1")
    end)
    local r = LrHttp._requests
    assert.are.equal(4, #r)
    assert.are.equal("GET", r[1].method)
    assert.is_nil(r[1].headers["Content-Type"])
    assert.are.equal("Bearer secret-token-123456", r[1].headers.Authorization)
    assert.are.equal("POST", r[2].method)
    assert.are.equal(s.url .. "/api/model/switch", r[2].url)
    assert.are.equal('{"model":"gemma3:4b"}', r[2].body)
    assert.are.equal("DELETE", r[3].method)
    assert.are.equal(s.url .. "/api/model/downloads/job-1", r[3].url)
    assert.are.equal("{}", r[3].body)
    assert.are.equal(s.url .. "/api/model/downloads/job-1/resume", r[4].url)
    for i = 2, 4 do
      assert.are.equal("application/json", r[i].headers["Content-Type"])
      assert.are.equal("Bearer secret-token-123456", r[i].headers.Authorization)
    end
  end)

  it("sends no Authorization header without a token", function()
    local s = serve("200 OK", '{"success":true}', { contentType = "application/json" })
    inTask(function() return client(s.url):health() end)
    assert.is_nil(LrHttp._requests[1].headers.Authorization)
  end)

  it("builds query strings and encodes model names and job ids", function()
    assert.are.equal("", DaemonClient.query({}))
    assert.are.equal("?capability=vision&purpose=quality",
      DaemonClient.query({ purpose = "quality", capability = "vision", installed_only = false, limit = "" }))
    assert.are.equal("hf.co%2Fuser%2Frepo%3AQ4_K_M", DaemonClient.encode("hf.co/user/repo:Q4_K_M"))
    local s = serve("200 OK", '{"success":true,"models":[]}', { contentType = "application/json" })
    inTask(function()
      local c = client(s.url)
      c:listModels()
      c:statistics("gemma3:4b")
      c:download("job/1 2")
    end)
    assert.are.equal(s.url .. "/api/model/list", LrHttp._requests[1].url)
    assert.are.equal(s.url .. "/api/model/statistics?model=gemma3%3A4b", LrHttp._requests[2].url)
    assert.are.equal(s.url .. "/api/model/downloads/job%2F1%202", LrHttp._requests[3].url)
  end)

  it("fails every call with the settings' sentence when the address is unusable", function()
    local c = DaemonClient.new({ http = LrHttp, baseUrl = "ftp://x", urlError = "“ftp://x” is not a daemon address." })
    local answer, err = c:health()
    assert.is_nil(answer)
    assert.are.equal("BAD_URL", err.code)
    assert.are.equal(0, #LrHttp._requests)
  end)

  describe("error mapping", function()
    it("reads the status whether Lightroom gives a number or text", function()
      assert.are.equal(503, DaemonErrors.statusOf({ status = 503 }))
      assert.are.equal(503, DaemonErrors.statusOf({ status = "503" }))
      assert.is_nil(DaemonErrors.statusOf({}))
      assert.is_nil(DaemonErrors.statusOf(nil))
    end)

    it("trusts the body when no status came with it", function()
      assert.is_nil(DaemonErrors.fromAnswer(nil, { success = true }, "u"))
      local err = DaemonErrors.fromAnswer(nil, { success = false, error = "No.", code = "MODEL_IN_USE" }, "u")
      assert.are.same({ message = "No.", code = "MODEL_IN_USE" }, err)
    end)

    it("has a sentence for every network failure Lightroom names", function()
      local url = "http://127.0.0.1:5100"
      local codes = { "cancelled", "badURL", "timedOut", "cannotFindHost", "cannotConnectToHost", "resourceUnavailable",
        "networkConnectionLost", "redirectError", "badServerResponse", "authenticationError", "securityError" }
      for _, code in ipairs(codes) do
        local err = DaemonErrors.fromTransport({ error = { errorCode = code, name = "The operation couldn’t be completed." } }, url, 10)
        assert.is_string(err.message)
        assert.matches(url, err.message, 1, true)
        assert.matches("[%.%)]$", err.message)
      end
      local err = DaemonErrors.fromTransport(nil, url, 10)
      assert.matches("could not reach the daemon", err.message)
    end)

    it("adds where to enter the token when the daemon asks for one", function()
      local err = { message = "This request needs the Junmai access token.", code = "UNAUTHORIZED" }
      assert.are.equal("This request needs the Junmai access token. Enter the access token in File › Plug-in Manager › Junmai AutoDev.",
        DaemonErrors.describe(err))
      assert.are.equal("x", DaemonErrors.describe({ message = "x", code = "MODEL_NOT_FOUND" }))
    end)
  end)
end)
