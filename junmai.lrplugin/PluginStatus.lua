--[[
The status lines of the Plug-in Manager section, from the daemon's health and current model.
Pure: takes the answers (or errors) and returns texts.
]]
local DaemonErrors = require "DaemonErrors"
local DaemonSession = require "DaemonSession"

local PluginStatus = {}

function PluginStatus.checking()
  local checking = LOC "$$$/Junmai/Status/Checking=Checking^U+2026"
  return { daemonStatus = checking, ollamaStatus = checking, currentModelText = checking }
end

--[[
health: the /api/health answer or nil; healthErr: its error.
current: the /api/model/current answer or nil.
Returns {daemonStatus, ollamaStatus, currentModelText}.
]]
function PluginStatus.describe(baseUrl, health, healthErr, current)
  if not health then
    local unknown = LOC "$$$/Junmai/Status/UnknownWithoutDaemon=Unknown until the daemon answers."
    return {
      daemonStatus = DaemonErrors.describe(healthErr),
      ollamaStatus = unknown,
      currentModelText = unknown,
    }
  end
  local out = {}
  out.daemonStatus = LOC("$$$/Junmai/Status/DaemonOk=Answering at ^1 ^U+2014 daemon version ^2 (API ^3).", baseUrl,
    tostring(health.daemon_version or "?"), tostring(health.api_version or "?"))
  local theirs = tonumber(health.api_version)
  if theirs and theirs ~= DaemonSession.API_VERSION then
    out.daemonStatus = out.daemonStatus .. " " .. LOC("$$$/Junmai/Status/ApiMismatch=This plug-in expects API ^1: update the plug-in and the daemon together.", tostring(DaemonSession.API_VERSION))
  end
  if health.database and health.database.ok == false then
    out.daemonStatus = out.daemonStatus .. " " .. LOC "$$$/Junmai/Status/DbProblem=Its database cannot be read; the daemon log has the details."
  end
  local ollama = health.ollama or {}
  if ollama.reachable then
    out.ollamaStatus = LOC("$$$/Junmai/Status/OllamaOk=Running at ^1 ^U+2014 version ^2.", tostring(ollama.url or "?"),
      tostring(ollama.version or "?"))
    -- The daemon's own sentence says which version to install; the plug-in only shows it.
    if ollama.outdated and ollama.update_notice then
      out.ollamaStatus = out.ollamaStatus .. " " .. ollama.update_notice
    end
  else
    out.ollamaStatus = LOC("$$$/Junmai/Status/OllamaDown=Not reachable at ^1. ^2", tostring(ollama.url or "?"),
      ollama.error or LOC "$$$/Junmai/Status/StartOllama=Start Ollama, then check again.")
  end
  if current and current.current_model then
    local label = current.model and current.model.display_name or current.current_model
    out.currentModelText = LOC("$$$/Junmai/Status/Current=^1 (^2)", label, current.current_model)
  else
    out.currentModelText = LOC "$$$/Junmai/Status/NoCurrent=None chosen yet ^U+2014 use Choose AI Model^U+2026"
  end
  return out
end

-- Asks the daemon and describes the answers; for an async task.
function PluginStatus.check(client)
  local health, err = client:health()
  local current
  if health then current = client:currentModel() end
  return PluginStatus.describe(client.baseUrl, health, err, current)
end

return PluginStatus
