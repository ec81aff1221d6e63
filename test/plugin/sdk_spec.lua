-- The SDK shim itself behaves as the plug-in expects Lightroom to.
local sdk = require "sdk"

local LrTasks = sdk.import "LrTasks"
local LrBinding = sdk.import "LrBinding"
local LrView = sdk.import "LrView"
local LrDialogs = sdk.import "LrDialogs"
local LrFunctionContext = sdk.import "LrFunctionContext"
local LrHttp = sdk.import "LrHttp"
local LrPathUtils = sdk.import "LrPathUtils"
local socket = require "socket"

--[[
A tiny HTTP server run as shim tasks, answering "ok" to every request after `delay` seconds and
keeping connections alive, or closing each one once idle for closeAfter seconds after its answer,
without saying so (no "Connection: close").
state: accepted (connections), closed, inside / maxInside (requests being answered at once), stop.
]]
local function tinyServer(opts)
  local server = assert(socket.bind("127.0.0.1", 0))
  server:settimeout(0)
  local _, port = server:getsockname()
  local state = { accepted = 0, inside = 0, maxInside = 0, url = "http://127.0.0.1:" .. port }
  local function serve(client)
    local buf = ""
    while true do
      local head = string.find(buf, "\r\n\r\n", 1, true)
      if head then
        buf = string.sub(buf, head + 4)
        state.inside = state.inside + 1
        state.maxInside = math.max(state.maxInside, state.inside)
        LrTasks.sleep(opts.delay or 0)
        state.inside = state.inside - 1
        client:send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        if opts.closeAfter then
          LrTasks.sleep(opts.closeAfter)
          client:close()
          state.closed = (state.closed or 0) + 1
          return
        end
      else
        local data, err, partial = client:receive(1024)
        buf = buf .. (data or partial or "")
        if err == "closed" then client:close() return end
        if not data and (partial or "") == "" then
          if state.stop then client:close() return end
          LrTasks.sleep(0.01)
        end
      end
    end
  end
  LrTasks.startAsyncTask(function()
    while not state.stop do
      local client = server:accept()
      if client then
        state.accepted = state.accepted + 1
        client:settimeout(0)
        LrTasks.startAsyncTask(function() serve(client) end, "tiny server connection")
      else
        LrTasks.sleep(0.01)
      end
    end
    server:close()
  end, "tiny server")
  return state
end

describe("the SDK shim", function()
  before_each(function() sdk.reset() end)

  it("gives LOC's English text with ^1 substitutions", function()
    assert.are.equal("Hello", LOC "$$$/Junmai/X=Hello")
    assert.are.equal("a 1 b two", LOC("$$$/Junmai/X=a ^1 b ^2", 1, "two"))
    assert.are.equal("50%", LOC("$$$/Junmai/X=^1%", 50))
    assert.has_error(function() LOC "no key" end)
  end)

  it("gives _PLUGIN with the plug-in's id and absolute path", function()
    assert.are.equal("com.junmai.autodev", _PLUGIN.id)
    assert.matches("^/.*/junmai%.lrplugin$", _PLUGIN.path)
  end)

  it("runs tasks on coroutines, with sleeps that yield, even inside LrTasks.pcall", function()
    local order = {}
    LrTasks.startAsyncTask(function()
      order[#order + 1] = "a1"
      local ok, value = LrTasks.pcall(function()
        LrTasks.sleep(0.05)
        order[#order + 1] = "a2"
        return 42
      end)
      order[#order + 1] = ok and value
      local failed, err = LrTasks.pcall(function() LrTasks.sleep(0.01); error("boom", 0) end)
      order[#order + 1] = tostring(failed) .. ":" .. err
    end)
    LrTasks.startAsyncTask(function()
      order[#order + 1] = "b1"
      assert.is_true(LrTasks.canYield())
    end)
    assert.are.same({ "a1", "b1" }, order)
    assert.is_true(sdk.runTasks({ timeout = 2 }))
    assert.are.same({ "a1", "b1", "a2", 42, "false:boom" }, order)
    assert.is_false(LrTasks.canYield())
  end)

  it("records a task's error as Lightroom would report it", function()
    LrTasks.startAsyncTask(function() error("oops") end, "failing")
    assert.are.equal(1, #LrTasks._errors)
    assert.are.equal("failing", LrTasks._errors[1].name)
  end)

  it("refuses LrHttp outside a task, as Lightroom does", function()
    assert.has_error(function() sdk.import("LrHttp").get("http://127.0.0.1:1/") end)
  end)

  it("calls property observers on change only", function()
    local props = LrBinding.makePropertyTable()
    local seen = {}
    props:addObserver("x", function(p, key, value) seen[#seen + 1] = key .. "=" .. tostring(value) assert.are.equal(props, p) end)
    props.x = 1
    props.x = 1
    props.x = 2
    assert.are.same({ "x=1", "x=2" }, seen)
  end)

  it("lets specs read bound views, set values and press buttons", function()
    local f = LrView.osFactory()
    local props = LrBinding.makePropertyTable()
    props.label = "before"
    local pressed = false
    local root = f:column {
      bind_to_object = props,
      f:static_text { title = LrView.bind "label" },
      f:edit_field { value = LrView.bind "text" },
      f:push_button { title = "Go", action = function() pressed = true end },
    }
    assert.are.equal("before", LrView._text(root))
    LrView._set(LrView._find(root, { _type = "edit_field" }), "typed")
    assert.are.equal("typed", props.text)
    LrView._press(LrView._find(root, { title = "Go" }))
    assert.is_true(pressed)
  end)

  it("drives the task a pressed button started, even when that task starts another before it first yields", function()
    local Ui = require "support.ui"
    local f = LrView.osFactory()
    local done = {}
    -- Like "Resume": the action's task has its answer at once, starts a watcher that polls on and
    -- on, then goes on with its own work, which yields.
    local function watcher()
      while not done.stop do LrTasks.sleep(0.05) end
    end
    local function action()
      LrTasks.startAsyncTask(function()
        LrTasks.startAsyncTask(watcher, "watcher")
        LrTasks.sleep(0.01)
        done.press = true
      end, "button")
    end
    local root = f:column { f:push_button { title = "Resume", action = action } }
    local t0 = socket.gettime()
    Ui.press(root, "Resume")
    assert.is_true(done.press)
    assert.are.equal("called", Ui.call(function()
      LrTasks.startAsyncTask(watcher, "another watcher")
      LrTasks.sleep(0.01)
      return "called"
    end, 5))
    -- Driving a watcher instead would have run it until the 30 s (or 5 s) deadline.
    assert.is_true(socket.gettime() - t0 < 2)
    done.stop = true
    assert.is_true(sdk.runTasks({ timeout = 2 }))
  end)

  it("answers dialogs from queued responses, and cancels without one", function()
    LrDialogs._respond("ok")
    assert.are.equal("ok", LrDialogs.confirm("Sure?"))
    assert.are.equal("cancel", LrDialogs.confirm("Again?"))
    assert.are.equal(2, #LrDialogs._all("confirm"))
  end)

  it("runs shell commands only from a task, blocking that task until they exit, and lets specs answer them", function()
    assert.has_error(function() LrTasks.execute("true") end)
    local status, other
    LrTasks.startAsyncTask(function() status = LrTasks.execute("sleep 0.2; exit 3") end)
    LrTasks.startAsyncTask(function() other = "ran" end)
    -- The command holds its own task only.
    assert.is_nil(status)
    assert.are.equal("ran", other)
    assert.is_true(sdk.runTasks({ timeout = 10 }))
    assert.are.equal(3 * 256, status)
    LrTasks._executeHook = function() return 0 end
    LrTasks.startAsyncTask(function() status = LrTasks.execute("launchctl kickstart x") end)
    assert.are.equal(0, status)
    assert.are.same({ "sleep 0.2; exit 3", "launchctl kickstart x" }, LrTasks._executed)
  end)

  it("renders export sessions as small JPEGs, renaming same-named photos only when asked", function()
    local Catalog = require "sdk.catalog"
    local LrExportSession = sdk.import "LrExportSession"
    local catalog = Catalog.new({ photos = { { fileName = "A.CR3" }, { fileName = "A.CR3", renderError = "gone" }, { fileName = "A.CR3" } } })
    local dir = os.tmpname()
    os.remove(dir)
    assert(sdk.import("LrFileUtils").createAllDirectories(dir))
    local session = LrExportSession({ photosToExport = catalog:getAllPhotos(), exportSettings = {
      LR_export_destinationPathPrefix = dir, LR_collisionHandling = "rename" } })
    local results = {}
    for i, rendition in session:renditions() do
      local ok, pathOrMessage = rendition:waitForRender()
      results[i] = { ok, (string.gsub(pathOrMessage, "^.*/", "")) }
    end
    assert.are.same({ { true, "A.jpg" }, { false, "gone" }, { true, "A-3.jpg" } }, results)
    local f = assert(io.open(dir .. "/A.jpg", "rb"))
    assert.are.equal("\255\216\255", f:read(3))
    f:close()
    os.execute("rm -rf '" .. dir .. "'")
  end)

  it("takes waitForRender and skipRender as methods only, as Lightroom does", function()
    local Catalog = require "sdk.catalog"
    local LrExportSession = sdk.import "LrExportSession"
    local catalog = Catalog.new({ photos = { { fileName = "A.CR3" } } })
    local session = LrExportSession({ photosToExport = catalog:getAllPhotos(), exportSettings = { LR_export_destinationPathPrefix = os.tmpname() } })
    local _, rendition = session:renditions()()
    assert.has_error(function() rendition.skipRender() end, "skipRender is a method: call it with a colon")
    assert.has_error(function() rendition.waitForRender() end, "waitForRender is a method: call it with a colon")
    rendition:skipRender()
    assert.are.same({ false, "skipped" }, { rendition:waitForRender() })
  end)

  it("takes only low-ASCII in LOC, and writes other characters as ^U+XXXX", function()
    assert.are.equal("Choose AI Model…", LOC "$$$/Junmai/X=Choose AI Model^U+2026")
    assert.are.equal("“a” — ★", LOC "$$$/Junmai/X=^U+201Ca^U+201D ^U+2014 ^U+2605")
    assert.has_error(function() LOC "$$$/Junmai/X=Choose AI Model…" end)
    assert.has_error(function() LOC "$$$/Junmai/Ключ=text" end)
  end)

  it("refuses LrView controls and properties Lightroom does not have", function()
    local f = LrView.osFactory()
    assert.has_error(function() f:label { title = "x" } end)
    assert.has_error(function() f:static_text { title = "x", wrap = true } end)
    assert.has_error(function() f:checkbox { titel = "x" } end)
    assert.are.equal("popup_menu", f:popup_menu { value = 1, items = { { title = "1", value = 1 } } }._type)
  end)

  it("plays macOS or Windows, with each one's paths and standard folders", function()
    assert.is_true(MAC_ENV)
    assert.is_false(WIN_ENV)
    assert.are.equal("/Users/photographer/Library/Application Support/Adobe/Lightroom", LrPathUtils.getStandardFilePath("appData"))
    assert.are.equal("/a/b", LrPathUtils.child("/a", "b"))
    sdk.setPlatform("win")
    assert.is_true(WIN_ENV)
    assert.is_false(MAC_ENV)
    -- "appData" is Lightroom's own folder, not %APPDATA%.
    assert.are.equal("C:\\Users\\Photographer\\AppData\\Roaming\\Adobe\\Lightroom", LrPathUtils.getStandardFilePath("appData"))
    assert.are.equal("C:\\Users\\Photographer", LrPathUtils.getStandardFilePath("home"))
    assert.are.equal("C:\\a\\b", LrPathUtils.child("C:\\a", "b"))
    assert.are.equal("C:\\a", LrPathUtils.parent("C:\\a\\b"))
    assert.are.equal("b", LrPathUtils.leafName("C:\\a\\b"))
    sdk.reset()
    assert.is_true(MAC_ENV)
  end)

  it("lets LrHttp calls yield, so that requests from several tasks are in flight at once", function()
    local server = tinyServer({ delay = 0.2 })
    local answers = {}
    for i = 1, 3 do
      LrTasks.startAsyncTask(function() answers[i] = LrHttp.get(server.url .. "/" .. i) end, "client " .. i)
    end
    assert.is_true(sdk.runTasks({ timeout = 10, untilFn = function() return #answers == 3 end }))
    assert.are.same({ "ok", "ok", "ok" }, answers)
    assert.are.equal(3, server.maxInside)
    server.stop = true
    assert.is_true(sdk.runTasks({ timeout = 5 }))
  end)

  it("reuses kept-alive connections, and loses a request on one the server has closed", function()
    local server = tinyServer({})
    local results = {}
    local function get()
      local n = #results + 1
      LrTasks.startAsyncTask(function()
        local body, info = LrHttp.get(server.url .. "/")
        results[#results + 1] = body or info.error.errorCode
      end, "client")
      assert.is_true(sdk.runTasks({ timeout = 5, untilFn = function() return #results == n end }))
    end
    get()
    get()
    assert.are.same({ "ok", "ok" }, results)
    assert.are.equal(1, server.accepted)
    assert.is_true(LrHttp._requests[2].reused)
    server.stop = true
    assert.is_true(sdk.runTasks({ timeout = 5 }))

    local closing = tinyServer({ closeAfter = 0.05 })
    results = {}
    local function getFrom()
      local n = #results + 1
      LrTasks.startAsyncTask(function()
        local body, info = LrHttp.get(closing.url .. "/")
        results[#results + 1] = body or info.error.errorCode
      end, "client")
      assert.is_true(sdk.runTasks({ timeout = 5, untilFn = function() return #results == n end }))
    end
    getFrom()
    assert.is_true(sdk.runTasks({ timeout = 5, untilFn = function() return closing.closed == 1 end }))
    getFrom()
    getFrom()
    assert.are.same({ "ok", "networkConnectionLost", "ok" }, results)
    closing.stop = true
    assert.is_true(sdk.runTasks({ timeout = 5 }))
  end)

  it("marks a filter's rendition done when the loop moves on, and ignores marks that come later", function()
    local Catalog = require "sdk.catalog"
    local FilterContext = require "support.export"
    local dir = os.tmpname()
    os.remove(dir)
    assert(sdk.import("LrFileUtils").createAllDirectories(dir))
    local catalog = Catalog.new({ photos = { {}, {}, {} } })
    local ctx = FilterContext.new({ photos = catalog:getAllPhotos(), folder = dir })
    local taken = {}
    for source, target in ctx:renditions() do
      source:waitForRender()
      taken[#taken + 1] = target
      if #taken == 2 then target:renditionIsDone(false, "bad") end
    end
    taken[1]:renditionIsDone(false, "too late")
    taken[2]:renditionIsDone(true)
    assert.are.same({ "auto", { ok = false, message = "bad" }, "auto" }, ctx._marks())
    assert.are.same({ { index = 1, ok = false, message = "too late" }, { index = 2, ok = true } }, ctx._late())
    os.execute("rm -rf '" .. dir .. "'")
  end)

  it("renders a session's photos in the background unless skipped, even into a folder removed meanwhile", function()
    local Catalog = require "sdk.catalog"
    local LrExportSession = sdk.import "LrExportSession"
    local catalog = Catalog.new({ photos = { { fileName = "A.CR3" }, { fileName = "B.CR3" }, { fileName = "C.CR3" } } })
    local dir = os.tmpname()
    os.remove(dir)
    local session = LrExportSession({ photosToExport = catalog:getAllPhotos(), exportSettings = { LR_export_destinationPathPrefix = dir } })
    local iter = session:renditions()
    local _, first = iter()
    local _, second = iter()
    second:skipRender()
    assert.are.equal(2, session:_unsettled())
    LrExportSession._finishRenders()
    assert.are.equal("file", sdk.import("LrFileUtils").exists(first.destinationPath))
    assert.is_false(sdk.import("LrFileUtils").exists(second.destinationPath))
    assert.are.equal("file", sdk.import("LrFileUtils").exists(dir .. "/C.jpg"))
    os.execute("rm -rf '" .. dir .. "'")
  end)

  it("refuses catalog writes outside withWriteAccessDo, collections included", function()
    local Catalog = require "sdk.catalog"
    local catalog = Catalog.new({ photos = { {} } })
    local photo = catalog:getAllPhotos()[1]
    assert.has_error(function() photo:setRawMetadata("rating", 3) end)
    assert.has_error(function() catalog:createCollection("C", nil, true) end)
    local collection
    LrTasks.startAsyncTask(function()
      catalog:withWriteAccessDo("t", function() collection = catalog:createCollection("C", nil, true) end)
    end)
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.has_error(function() collection:addPhotos({ photo }) end)
    LrTasks.startAsyncTask(function()
      catalog:withWriteAccessDo("t", function() collection:addPhotos({ photo }) end)
    end)
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.are.same({ photo }, catalog:_collection("C"):getPhotos())
  end)

  it("runs cleanup handlers of a function context, and rethrows", function()
    local cleaned = 0
    assert.has_error(function()
      LrFunctionContext.callWithContext("t", function(context)
        context:addCleanupHandler(function() cleaned = cleaned + 1 end)
        error("inner", 0)
      end)
    end, "inner")
    assert.are.equal(1, cleaned)
  end)
end)
