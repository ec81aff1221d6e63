-- The SDK shim itself behaves as the plug-in expects Lightroom to.
local sdk = require "sdk"

local LrTasks = sdk.import "LrTasks"
local LrBinding = sdk.import "LrBinding"
local LrView = sdk.import "LrView"
local LrDialogs = sdk.import "LrDialogs"
local LrFunctionContext = sdk.import "LrFunctionContext"

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
