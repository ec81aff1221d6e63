--[[
Turns whatever went wrong talking to the daemon into one sentence a photographer can act on.
An error is a table {message = sentence, code = STABLE_CODE, status = HTTP status or nil,
details = the daemon's details table or nil}.
Codes the daemon sends are kept; the ones made here are DAEMON_DOWN, DAEMON_TIMEOUT, BAD_URL,
NETWORK_ERROR and BAD_RESPONSE.
]]
local DaemonErrors = {}

local function make(message, code, status, details)
  return { message = message, code = code, status = status, details = details }
end

function DaemonErrors.notRunning(baseUrl)
  return make(LOC("$$$/Junmai/Error/NotRunning=The Junmai daemon is not running at ^1 ^U+2014 start it with `npm start` (or the Junmai login item).", baseUrl), "DAEMON_DOWN")
end

-- From LrHttp's nil-plus-info answer, whose info.error.errorCode names the network failure.
function DaemonErrors.fromTransport(info, baseUrl, timeout)
  local e = type(info) == "table" and type(info.error) == "table" and info.error or {}
  local code = e.errorCode
  if code == "cannotConnectToHost" or code == "cannotFindHost" or code == "resourceUnavailable" then
    return DaemonErrors.notRunning(baseUrl)
  elseif code == "timedOut" then
    return make(LOC("$$$/Junmai/Error/TimedOut=The Junmai daemon at ^1 did not answer within ^2 s ^U+2014 it may be busy or stuck; try again, or restart it with `npm start` (or the Junmai login item).", baseUrl, tostring(timeout or "?")), "DAEMON_TIMEOUT")
  elseif code == "badURL" then
    return make(LOC("$$$/Junmai/Error/BadUrl=^U+201C^1^U+201D is not a valid daemon address; correct it in File ^U+203A Plug-in Manager ^U+203A Junmai AutoDev.", baseUrl), "BAD_URL")
  elseif code == "networkConnectionLost" or code == "badServerResponse" then
    return make(LOC("$$$/Junmai/Error/ConnectionLost=The connection to the Junmai daemon at ^1 broke off before it answered. If the daemon was restarting, try again in a moment.", baseUrl), "NETWORK_ERROR")
  end
  local detail = e.name and tostring(e.name) or tostring(code or "unknown error")
  return make(LOC("$$$/Junmai/Error/Network=Junmai could not reach the daemon at ^1 (^2).", baseUrl, detail), "NETWORK_ERROR")
end

-- LrHttp's answer headers carry the status as `status` (a number in most versions, text in a few).
function DaemonErrors.statusOf(headers)
  if type(headers) ~= "table" then return nil end
  return tonumber(headers.status)
end

--[[
From an answer that arrived: `decoded` is the parsed body or nil when it was not JSON.
Returns nil when the answer is a success the caller can use.
]]
function DaemonErrors.fromAnswer(status, decoded, baseUrl)
  if type(decoded) ~= "table" then
    return make(LOC("$$$/Junmai/Error/NotJson=The program answering at ^1 sent something that is not a Junmai answer^2. Check the daemon address in File ^U+203A Plug-in Manager ^U+203A Junmai AutoDev.", baseUrl,
      status and LOC("$$$/Junmai/Error/HttpStatus= (HTTP ^1)", tostring(status)) or ""), "BAD_RESPONSE", status)
  end
  if decoded.success == false or (status and status >= 400) then
    if type(decoded.error) == "string" and decoded.error ~= "" then
      -- details: facts the daemon adds (the model, the photo's id); kept for callers that need them.
      return make(decoded.error, type(decoded.code) == "string" and decoded.code or "DAEMON_ERROR", status,
        type(decoded.details) == "table" and decoded.details or nil)
    end
    return make(LOC("$$$/Junmai/Error/Unexplained=The Junmai daemon at ^1 refused the request without saying why (HTTP ^2).", baseUrl, tostring(status or "?")), "DAEMON_ERROR", status)
  end
  if decoded.success ~= true then
    return make(LOC("$$$/Junmai/Error/NotJunmai=The program answering at ^1 does not look like the Junmai daemon. Check the daemon address in File ^U+203A Plug-in Manager ^U+203A Junmai AutoDev.", baseUrl), "BAD_RESPONSE", status)
  end
  return nil
end

-- Extra advice for codes whose fix is in the plug-in's own settings.
function DaemonErrors.hint(err)
  if type(err) ~= "table" then return nil end
  if err.code == "UNAUTHORIZED" then
    return LOC "$$$/Junmai/Error/TokenHint=Enter the access token in File ^U+203A Plug-in Manager ^U+203A Junmai AutoDev."
  end
  return nil
end

-- The message with its hint, for a dialog.
function DaemonErrors.describe(err)
  if type(err) ~= "table" then return tostring(err) end
  local hint = DaemonErrors.hint(err)
  if hint then return err.message .. " " .. hint end
  return err.message
end

return DaemonErrors
