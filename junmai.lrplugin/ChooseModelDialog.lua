--[[
"Choose AI Model…": the catalog in a list with filters, the current model with its measured
figures, and one action button. The decisions live in ModelPicker; this file only shows them.
Call run() from an async task (SafeRun.task).
]]
local LrBinding = import "LrBinding"
local LrDialogs = import "LrDialogs"
local LrView = import "LrView"

local DaemonErrors = require "DaemonErrors"
local DaemonSession = require "DaemonSession"
local DialogParts = require "DialogParts"
local ModelPicker = require "ModelPicker"

local ChooseModelDialog = {}

local function refreshList(props, rows)
  local shown = ModelPicker.filterRows(rows, {
    purpose = props.purposeFilter, installedOnly = props.installedOnly, visionOnly = props.visionOnly,
  })
  props.items = ModelPicker.listItems(shown)
  props.countText = LOC("$$$/Junmai/Choose/Count=^1 of ^2 models shown", tostring(#shown), tostring(#rows))
  local selected = DialogParts.selected(props.selection)
  if selected and not ModelPicker.findRow(shown, selected) then props.selection = nil end
end

local function describeSelection(props, rows)
  local row = ModelPicker.findRow(rows, DialogParts.selected(props.selection))
  props.details = ModelPicker.details(row)
  props.actionHint = ModelPicker.actionHint(row)
end

function ChooseModelDialog.makeProperties(context, facts)
  local props = LrBinding.makePropertyTable(context)
  props.purposeFilter = "all"
  props.installedOnly = false
  props.visionOnly = false
  props.currentSummary = ModelPicker.currentSummary(facts.currentModel, facts.current, facts.stats)
  local notes = facts.recommendMessage and { facts.recommendMessage } or {}
  for _, note in ipairs(facts.notes or {}) do notes[#notes + 1] = note end
  props.recommendText = table.concat(notes, " ")
  local current = facts.currentModel
  props.selection = current and { current } or nil
  refreshList(props, facts.rows)
  describeSelection(props, facts.rows)
  local function onFilter() refreshList(props, facts.rows) end
  props:addObserver("purposeFilter", onFilter)
  props:addObserver("installedOnly", onFilter)
  props:addObserver("visionOnly", onFilter)
  props:addObserver("selection", function() describeSelection(props, facts.rows) end)
  return props
end

function ChooseModelDialog.contents(f, props)
  local bind = LrView.bind
  return f:column {
    bind_to_object = props,
    spacing = f:control_spacing(),
    fill_horizontal = 1,
    f:static_text { title = bind "currentSummary", width_in_chars = 70, height_in_lines = 2, fill_horizontal = 1 },
    f:static_text { title = bind "recommendText", width_in_chars = 70, height_in_lines = 2, fill_horizontal = 1 },
    f:row {
      spacing = f:control_spacing(),
      f:static_text { title = LOC "$$$/Junmai/Choose/Show=Show:" },
      f:popup_menu { value = bind "purposeFilter", items = ModelPicker.purposeItems() },
      f:checkbox { title = LOC "$$$/Junmai/Choose/InstalledOnly=Installed only", value = bind "installedOnly" },
      f:checkbox { title = LOC "$$$/Junmai/Choose/VisionOnly=Sees photos (vision) only", value = bind "visionOnly" },
      f:static_text { title = bind "countText", fill_horizontal = 1, alignment = "right" },
    },
    f:simple_list {
      items = bind "items",
      value = bind "selection",
      allows_multiple_selection = false,
      width_in_chars = 100,
      height_in_lines = 14,
      fill_horizontal = 1,
    },
    f:static_text {
      title = LOC "$$$/Junmai/Choose/Legend=^U+25CF in use   ^U+2605 recommended for this computer",
    },
    f:static_text { title = bind "details", width_in_chars = 100, height_in_lines = 5, fill_horizontal = 1 },
    f:static_text { title = bind "actionHint", fill_horizontal = 1 },
  }
end

local function startDownload(client, row, freeBytes)
  local message, info = ModelPicker.downloadQuestion(row, freeBytes)
  local answer = LrDialogs.confirm(message, info, LOC "$$$/Junmai/Choose/Download=Download",
    LOC "$$$/Junmai/Choose/Cancel=Cancel")
  if answer ~= "ok" then return end
  local started, err = client:startDownload(row.name)
  if not started then
    LrDialogs.message(LOC("$$$/Junmai/Choose/DownloadFailed=Could not start downloading ^1.", row.label), DaemonErrors.describe(err), "critical")
    return
  end
  DialogParts.watchDownload(client, started.job, { label = row.label, sizeBytes = row.sizeBytes, offerSwitch = true })
  LrDialogs.showBezel(LOC("$$$/Junmai/Choose/DownloadStarted=Downloading ^1 ^U+2014 progress at the top left.", row.label))
end

local function switchTo(client, row, warning)
  local answer, err = client:switchModel(row.name)
  if not answer then
    LrDialogs.message(LOC("$$$/Junmai/Choose/SwitchFailed=Could not switch to ^1.", row.label), DaemonErrors.describe(err), "critical")
    return
  end
  local info = answer.message
  if answer.warning then info = info .. " " .. answer.warning end
  if warning then info = info .. " " .. warning end
  LrDialogs.message(LOC("$$$/Junmai/Choose/Switched=Now using ^1.", row.label), info, "info")
end

-- Carries out the photographer's choice. Returns the decision's kind, for the caller and specs.
function ChooseModelDialog.act(client, facts, name)
  local row = ModelPicker.findRow(facts.rows, name)
  local decision = ModelPicker.decide(row)
  if decision.kind == "switch" then
    switchTo(client, row, decision.warning)
  elseif decision.kind == "download" then
    startDownload(client, row, facts.freeDiskBytes)
  elseif decision.kind == "current" then
    LrDialogs.showBezel(LOC("$$$/Junmai/Choose/AlreadyCurrent=Already using ^1.", row.label))
  end
  return decision.kind
end

function ChooseModelDialog.run(context)
  local client = DaemonSession.client()
  -- Starts the daemon when it is not running (and warns once about an API mismatch).
  local _, err = DaemonSession.connect(client)
  local facts
  if not err then facts, err = ModelPicker.load(client) end
  if not facts then
    LrDialogs.message(LOC "$$$/Junmai/Choose/LoadFailed=Junmai cannot show the AI models.", DaemonErrors.describe(err), "critical")
    return "error"
  end
  local props = ChooseModelDialog.makeProperties(context, facts)
  local f = LrView.osFactory()
  local result = LrDialogs.presentModalDialog({
    title = LOC "$$$/Junmai/Choose/Title=Choose AI Model",
    contents = ChooseModelDialog.contents(f, props),
    actionVerb = LOC "$$$/Junmai/Choose/Action=Choose",
    cancelVerb = LOC "$$$/Junmai/Choose/Close=Close",
  })
  if result ~= "ok" then return "closed" end
  local name = DialogParts.selected(props.selection)
  if not name then
    LrDialogs.message(LOC "$$$/Junmai/Choose/NothingSelected=No model was selected.",
      LOC "$$$/Junmai/Choose/NothingSelectedInfo=Select a model in the list, then click Choose.", "info")
    return "none"
  end
  return ChooseModelDialog.act(client, facts, name)
end

return ChooseModelDialog
