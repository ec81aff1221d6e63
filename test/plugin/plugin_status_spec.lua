--[[
The Plug-in Manager's Ollama line: an Ollama older than the daemon needs is named as such, in the
daemon's own words, beside its address and version.
]]
require "sdk"
local PluginStatus = require "PluginStatus"

local URL = "http://127.0.0.1:5100"
local NOTICE = "Ollama 0.4.7 is too old to evaluate photos: Junmai needs Ollama 0.6.4 or newer " ..
  "(0.5.0 at the very least, for structured answers). Update Ollama from ollama.com/download."

describe("PluginStatus: Ollama's version", function()
  it("tells the photographer to update an outdated Ollama", function()
    local status = PluginStatus.describe(URL, {
      api_version = 1, daemon_version = "0.1.0",
      ollama = { reachable = true, url = "http://127.0.0.1:11434", version = "0.4.7", outdated = true, update_notice = NOTICE },
    })
    assert.are.equal("Running at http://127.0.0.1:11434 — version 0.4.7. " .. NOTICE, status.ollamaStatus)
  end)

  it("says nothing more about a recent one", function()
    local status = PluginStatus.describe(URL, {
      api_version = 1, daemon_version = "0.1.0",
      ollama = { reachable = true, url = "http://127.0.0.1:11434", version = "0.12.6", outdated = false, update_notice = nil },
    })
    assert.are.equal("Running at http://127.0.0.1:11434 — version 0.12.6.", status.ollamaStatus)
  end)
end)
