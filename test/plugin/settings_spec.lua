local Settings = require "Settings"

describe("Settings", function()
  it("defaults to the daemon's own address", function()
    assert.are.equal("http://127.0.0.1:5100", Settings.normalizeUrl(""))
    assert.are.equal("http://127.0.0.1:5100", Settings.normalizeUrl(nil))
  end)

  it("accepts the forms a photographer types", function()
    assert.are.equal("http://127.0.0.1:5100", Settings.normalizeUrl("  http://127.0.0.1:5100/  "))
    assert.are.equal("http://localhost:5100", Settings.normalizeUrl("localhost:5100"))
    assert.are.equal("https://studio.local", Settings.normalizeUrl("https://studio.local"))
    assert.are.equal("http://[::1]:5100", Settings.normalizeUrl("http://[::1]:5100"))
  end)

  it("refuses what is not an address, with a sentence", function()
    for _, bad in ipairs({ "ftp://host", "http://", "http://host:99999", "http://ho st:5100", "::::" }) do
      local url, err = Settings.normalizeUrl(bad)
      assert.is_nil(url, bad)
      assert.matches("is not a daemon address", err)
    end
  end)

  it("fills in missing preferences and reads a blank token as none", function()
    local prefs = {}
    Settings.applyDefaults(prefs)
    assert.are.equal(Settings.DEFAULT_URL, prefs.daemonUrl)
    assert.are.equal("", prefs.token)
    local s = Settings.read({ daemonUrl = "127.0.0.1:6000", token = "  " })
    assert.are.equal("http://127.0.0.1:6000", s.daemonUrl)
    assert.is_nil(s.token)
    assert.is_nil(s.urlError)
  end)

  it("starts a missing daemon by default, with the login item unless a command is set", function()
    local prefs = {}
    Settings.applyDefaults(prefs)
    local s = Settings.read(prefs)
    assert.is_true(s.autoStart)
    assert.is_nil(s.startCommand)
    assert.is_nil(s.inFlight)
    s = Settings.read({ autoStartDaemon = false, daemonStartCommand = "  open -a Junmai ", evaluationsInFlight = 3 })
    assert.is_false(s.autoStart)
    assert.are.equal("open -a Junmai", s.startCommand)
    assert.are.equal(3, s.inFlight)
  end)

  it("takes photos in flight as a whole number from 1 to 8", function()
    assert.are.equal(8, Settings.inFlight(20))
    assert.are.equal(2, Settings.inFlight("2"))
    for _, bad in ipairs({ 0, -1, 1.5, "auto", "x" }) do assert.is_nil(Settings.inFlight(bad), tostring(bad)) end
  end)

  it("keeps a bad address with its error, so every request can say what is wrong", function()
    local s = Settings.read({ daemonUrl = "ftp://x", token = "abc" })
    assert.are.equal("abc", s.token)
    assert.matches("is not a daemon address", s.urlError)
  end)
end)

describe("photos in flight", function()
  local sdk = require "sdk"

  it("is one on Windows unless set, and one more than the daemon runs elsewhere", function()
    local Evaluator = require "Evaluator"
    local health = { evaluation = { concurrency = 2 } }
    assert.are.equal(1, Evaluator.concurrency({}, health, "win"))
    assert.are.equal(3, Evaluator.concurrency({}, health, "mac"))
    assert.are.equal(2, Evaluator.concurrency({}, {}, "mac"))
    assert.are.equal(4, Evaluator.concurrency({ inFlight = 4 }, health, "win"))
  end)

  it("shows a preference its popup has no item for as the nearest item, never blank", function()
    sdk.reset()
    local DialogParts = require "DialogParts"
    local items = { { title = "Automatic", value = "auto" }, { title = "1", value = 1 }, { title = "4", value = 4 } }
    assert.are.equal(4, DialogParts.nearestItem(items, 6))
    assert.are.equal(1, DialogParts.nearestItem(items, 1))
    assert.are.equal("auto", DialogParts.nearestItem(items, "auto"))
    assert.are.equal("auto", DialogParts.nearestItem(items, "something old"))
    -- The Plug-in Manager's popup offers 1 to 4; a preference of 6 (set before) shows as 4.
    local LrPrefs = sdk.import "LrPrefs"
    local LrBinding = sdk.import "LrBinding"
    LrPrefs.prefsForPlugin().daemonUrl = "http://127.0.0.1:9"
    LrPrefs.prefsForPlugin().evaluationsInFlight = 6
    local props = LrBinding.makePropertyTable()
    require("PluginInfoProvider").prepare(props)
    assert.are.equal(4, props.evaluationsInFlight)
    sdk.reset()
  end)
end)
