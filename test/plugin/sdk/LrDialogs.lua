--[[
LrDialogs that record what would be shown. Specs queue answers with LrDialogs._respond(fn):
each confirm or modal dialog takes the next one, fn(shown) returning "ok", "cancel" or "other"
(and free to press buttons or set values in shown.contents first). With none queued a dialog is
cancelled, as a photographer closing it would.
]]
local LrDialogs = {}
LrDialogs._shown = {}
local responders = {}

local function record(kind, fields)
  fields.kind = kind
  LrDialogs._shown[#LrDialogs._shown + 1] = fields
  return fields
end

local function answer(shown)
  local responder = table.remove(responders, 1)
  if not responder then return "cancel" end
  if type(responder) == "string" then return responder end
  return responder(shown) or "cancel"
end

function LrDialogs.message(message, info, style)
  record("message", { message = message, info = info, style = style })
end

function LrDialogs.showBezel(message, fadeDelay)
  record("bezel", { message = message, fadeDelay = fadeDelay })
end

function LrDialogs.showError(err)
  record("error", { message = tostring(err) })
end

function LrDialogs.confirm(message, info, actionVerb, cancelVerb, otherVerb)
  local shown = record("confirm", { message = message, info = info, actionVerb = actionVerb,
    cancelVerb = cancelVerb, otherVerb = otherVerb })
  shown.result = answer(shown)
  return shown.result
end

function LrDialogs.presentModalDialog(args)
  assert(type(args) == "table" and args.title and args.contents, "presentModalDialog needs title and contents")
  local shown = record("modal", { title = args.title, contents = args.contents, actionVerb = args.actionVerb,
    cancelVerb = args.cancelVerb, otherVerb = args.otherVerb, args = args })
  shown.result = answer(shown)
  return shown.result
end

function LrDialogs.attachErrorDialogToFunctionContext(context)
  local _ = context
end

function LrDialogs._respond(responder)
  responders[#responders + 1] = responder
end

function LrDialogs._last(kind)
  for i = #LrDialogs._shown, 1, -1 do
    local s = LrDialogs._shown[i]
    if kind == nil or s.kind == kind then return s end
  end
end

function LrDialogs._all(kind)
  local out = {}
  for _, s in ipairs(LrDialogs._shown) do
    if kind == nil or s.kind == kind then out[#out + 1] = s end
  end
  return out
end

function LrDialogs._reset()
  LrDialogs._shown = {}
  responders = {}
end

return LrDialogs
