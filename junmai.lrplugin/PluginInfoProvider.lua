--[[
Junmai's section in File › Plug-in Manager: the daemon address and token (saved as the
plug-in's preferences as they are typed), whether the daemon and Ollama answer, the current
model, and buttons to the model list and the downloads.
]]
local LrPrefs = import "LrPrefs"
local LrTasks = import "LrTasks"
local LrView = import "LrView"

local ChooseModelDialog = require "ChooseModelDialog"
local DaemonSession = require "DaemonSession"
local DialogParts = require "DialogParts"
local DownloadsDialog = require "DownloadsDialog"
local PluginStatus = require "PluginStatus"
local SafeRun = require "SafeRun"
local Settings = require "Settings"

local PluginInfoProvider = {}

local function apply(props, status)
  props.daemonStatus = status.daemonStatus
  props.ollamaStatus = status.ollamaStatus
  props.currentModelText = status.currentModelText
end

-- Checks the daemon in a task; a newer check supersedes an older one still under way.
function PluginInfoProvider.refresh(props)
  props.checkNumber = (props.checkNumber or 0) + 1
  local mine = props.checkNumber
  apply(props, PluginStatus.checking())
  LrTasks.startAsyncTask(function()
    local ok, status = LrTasks.pcall(PluginStatus.check, DaemonSession.client())
    if props.checkNumber ~= mine then return end
    if not ok then
      SafeRun.report(status)
      return
    end
    apply(props, status)
  end, "Junmai status check")
end

local function saveStart(props)
  local prefs = LrPrefs.prefsForPlugin()
  prefs.autoStartDaemon = props.autoStartDaemon ~= false
  prefs.daemonStartCommand = props.daemonStartCommand or ""
  prefs.evaluationsInFlight = Settings.inFlight(props.evaluationsInFlight)
end

local function save(props)
  local prefs = LrPrefs.prefsForPlugin()
  local url, urlError = Settings.normalizeUrl(props.daemonUrl)
  prefs.daemonUrl = url or props.daemonUrl
  prefs.token = props.token or ""
  props.urlError = urlError or ""
  saveStart(props)
end

-- "Photos in evaluation at once": automatic (from the daemon) or a fixed number.
function PluginInfoProvider.inFlightItems()
  local items = { { title = LOC "$$$/Junmai/Manager/InFlightAuto=Automatic (1 on Windows, else as the daemon suggests)", value = "auto" } }
  for n = 1, 4 do items[#items + 1] = { title = tostring(n), value = n } end
  return items
end

-- Sets up the property table once, whichever of startDialog and sectionsForTopOfDialog comes first.
function PluginInfoProvider.prepare(props)
  if props.junmaiPrepared then return end
  props.junmaiPrepared = true
  local prefs = LrPrefs.prefsForPlugin()
  Settings.applyDefaults(prefs)
  props.daemonUrl = prefs.daemonUrl
  props.token = prefs.token
  props.urlError = ""
  props.autoStartDaemon = prefs.autoStartDaemon ~= false
  props.daemonStartCommand = prefs.daemonStartCommand or ""
  props.evaluationsInFlight = DialogParts.nearestItem(PluginInfoProvider.inFlightItems(), Settings.inFlight(prefs.evaluationsInFlight) or "auto")
  local function changed()
    save(props)
    PluginInfoProvider.refresh(props)
  end
  props:addObserver("daemonUrl", changed)
  props:addObserver("token", changed)
  local function startChanged() saveStart(props) end
  props:addObserver("autoStartDaemon", startChanged)
  props:addObserver("daemonStartCommand", startChanged)
  props:addObserver("evaluationsInFlight", startChanged)
  PluginInfoProvider.refresh(props)
end

function PluginInfoProvider.startDialog(props)
  PluginInfoProvider.prepare(props)
end

function PluginInfoProvider.endDialog(props)
  save(props)
end

local function label(f, text)
  return f:static_text { title = text, alignment = "right", width = LrView.share "junmai_label_width" }
end

function PluginInfoProvider.sectionsForTopOfDialog(f, props)
  PluginInfoProvider.prepare(props)
  local bind = LrView.bind
  return {
    {
      title = LOC "$$$/Junmai/Manager/Title=Junmai AutoDev",
      synopsis = bind { key = "daemonStatus", object = props },
      bind_to_object = props,
      spacing = f:control_spacing(),
      f:row {
        label(f, LOC "$$$/Junmai/Manager/Address=Daemon address:"),
        f:edit_field { value = bind "daemonUrl", width_in_chars = 30, immediate = false },
        f:push_button {
          title = LOC "$$$/Junmai/Manager/CheckAgain=Check Again",
          action = function() PluginInfoProvider.refresh(props) end,
        },
      },
      f:row {
        label(f, ""),
        f:static_text { title = bind "urlError", fill_horizontal = 1 },
      },
      f:row {
        label(f, LOC "$$$/Junmai/Manager/Daemon=Daemon:"),
        f:static_text { title = bind "daemonStatus", width_in_chars = 60, height_in_lines = 2, fill_horizontal = 1 },
      },
      f:row {
        label(f, LOC "$$$/Junmai/Manager/Ollama=Ollama:"),
        f:static_text { title = bind "ollamaStatus", width_in_chars = 60, height_in_lines = 2, fill_horizontal = 1 },
      },
      f:row {
        label(f, LOC "$$$/Junmai/Manager/CurrentModel=Current model:"),
        f:static_text { title = bind "currentModelText", fill_horizontal = 1 },
      },
      f:row {
        label(f, LOC "$$$/Junmai/Manager/Token=Access token:"),
        f:password_field { value = bind "token", width_in_chars = 30, immediate = false },
        f:static_text { title = LOC "$$$/Junmai/Manager/TokenNote=Only needed when the daemon asks for one." },
      },
      f:row {
        label(f, ""),
        f:checkbox { title = LOC "$$$/Junmai/Manager/AutoStart=Start the daemon when it is not running", value = bind "autoStartDaemon" },
      },
      f:row {
        label(f, LOC "$$$/Junmai/Manager/StartCommand=Start command:"),
        f:edit_field { value = bind "daemonStartCommand", width_in_chars = 30, immediate = false, enabled = bind "autoStartDaemon" },
        f:static_text { title = LOC "$$$/Junmai/Manager/StartCommandNote=Leave empty to use the Junmai login item (`junmai service install`)." },
      },
      f:row {
        label(f, LOC "$$$/Junmai/Manager/InFlight=Photos in evaluation at once:"),
        f:popup_menu { value = bind "evaluationsInFlight", items = PluginInfoProvider.inFlightItems() },
      },
      f:row {
        label(f, ""),
        f:push_button {
          title = LOC "$$$/Junmai/Menu/ChooseModel=Choose AI Model^U+2026",
          action = function() SafeRun.task("Junmai choose model", ChooseModelDialog.run) end,
        },
        f:push_button {
          title = LOC "$$$/Junmai/Menu/Downloads=AI Model Downloads^U+2026",
          action = function() SafeRun.task("Junmai downloads", DownloadsDialog.run) end,
        },
      },
    },
  }
end

return PluginInfoProvider
