--[[
The evaluation choices on screen: the export dialog's "Junmai AI Evaluation" section and the
dialog of Evaluate Selected Photos show the same controls, bound to the keys of
EvaluationOptions (an export's property table, or a copy of the plug-in's prefs).
]]
local LrView = import "LrView"

local DialogParts = require "DialogParts"
local EvaluationOptions = require "EvaluationOptions"

local EvaluationView = {}

function EvaluationView.longEdgeItems()
  local items = {}
  for _, n in ipairs(EvaluationOptions.LONG_EDGES) do
    items[#items + 1] = { title = LOC("$$$/Junmai/View/Pixels=^1 px", tostring(n)), value = n }
  end
  return items
end

function EvaluationView.keywordPolicyItems()
  return {
    { value = "prefer", title = LOC "$$$/Junmai/View/PolicyPrefer=Prefer my keywords" },
    { value = "only", title = LOC "$$$/Junmai/View/PolicyOnly=Only my keywords" },
    { value = "free", title = LOC "$$$/Junmai/View/PolicyFree=Any keywords" },
  }
end

-- Keeps props.junmai_synopsis (the section's one-line summary) up to date.
function EvaluationView.watchSynopsis(props)
  local function update() props.junmai_synopsis = EvaluationOptions.synopsis(props) end
  for _, key in ipairs(EvaluationOptions.KEYS) do props:addObserver(key, update) end
  update()
end

-- Characters per line of the notes under the options: the export dialog's sections are narrow,
-- so the options are stacked and long explanations wrap.
EvaluationView.NOTE_CHARS = 52

function EvaluationView.controls(f, props)
  local bind = LrView.bind
  local labelWidth = LrView.share "junmai_eval_label"
  local function label(text)
    return f:static_text { title = text, alignment = "right", width = labelWidth }
  end
  local function note(text, lines)
    return f:static_text { title = text, width_in_chars = EvaluationView.NOTE_CHARS, height_in_lines = lines, size = "small" }
  end
  local longEdges = EvaluationView.longEdgeItems()
  local policies = EvaluationView.keywordPolicyItems()
  props.junmai_longEdge = DialogParts.nearestItem(longEdges, props.junmai_longEdge)
  return f:column {
    bind_to_object = props,
    spacing = f:control_spacing(),
    f:row {
      label(LOC "$$$/Junmai/View/Write=Write:"),
      f:column {
        f:checkbox { title = LOC "$$$/Junmai/View/Rating=Rating (stars)", value = bind "junmai_writeRating" },
        f:checkbox { title = LOC "$$$/Junmai/View/Flag=Pick / reject flag", value = bind "junmai_writeFlag" },
        f:checkbox { title = LOC "$$$/Junmai/View/Keywords=Keywords (new ones under ^U+201CJunmai AI^U+201D)", value = bind "junmai_writeKeywords" },
        f:checkbox { title = LOC "$$$/Junmai/View/Caption=Caption", value = bind "junmai_writeCaption" },
        f:checkbox { title = LOC "$$$/Junmai/View/Title=Title", value = bind "junmai_writeTitle" },
      },
    },
    f:row {
      label(""),
      f:column {
        f:checkbox { title = LOC "$$$/Junmai/View/SuggestOnly=Only suggest: keep the answers for review", value = bind "junmai_suggestOnly" },
        note(LOC "$$$/Junmai/View/SuggestOnlyNote=Nothing of the photo changes until you accept it in Review AI Suggestions^U+2026", 2),
      },
    },
    f:row {
      label(""),
      f:column {
        f:checkbox { title = LOC "$$$/Junmai/View/Replace=Replace values already set", value = bind "junmai_overwrite" },
        note(LOC "$$$/Junmai/View/ReplaceNote=Otherwise a photo keeps its rating, flag, caption, title and Junmai keywords.", 2),
      },
    },
    f:row {
      label(LOC "$$$/Junmai/View/LongEdge=Image sent:"),
      f:column {
        f:popup_menu { value = bind "junmai_longEdge", items = longEdges },
        note(LOC "$$$/Junmai/View/LongEdgeNote=On the long edge, as JPEG. An export larger than this keeps its own size; Junmai sends the model a smaller copy.", 3),
      },
    },
    f:row {
      label(""),
      f:column {
        f:checkbox { title = LOC "$$$/Junmai/View/Cache=Use cached results", value = bind "junmai_useCache" },
        note(LOC "$$$/Junmai/View/CacheNote=A photo already evaluated the same way is not sent to the model again.", 2),
      },
    },
    f:row {
      label(LOC "$$$/Junmai/View/KeywordPolicy=Keywords:"),
      f:column {
        f:popup_menu { value = bind "junmai_keywordPolicy", items = policies },
        note(LOC "$$$/Junmai/View/KeywordPolicyNote=Your catalog's keywords are sent with each photo, so the model uses your words.", 2),
      },
    },
  }
end

-- The export dialog's section (sectionForFilterInDialog).
function EvaluationView.exportSection(f, props)
  EvaluationOptions.applyDefaults(props)
  EvaluationView.watchSynopsis(props)
  return {
    title = LOC "$$$/Junmai/Export/SectionTitle=Junmai AI Evaluation",
    synopsis = LrView.bind { key = "junmai_synopsis", object = props },
    EvaluationView.controls(f, props),
  }
end

return EvaluationView
