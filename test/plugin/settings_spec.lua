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

  it("keeps a bad address with its error, so every request can say what is wrong", function()
    local s = Settings.read({ daemonUrl = "ftp://x", token = "abc" })
    assert.are.equal("abc", s.token)
    assert.matches("is not a daemon address", s.urlError)
  end)
end)
