--[[
The Metadata panel's "Junmai AI suggestions" tagset (Info.lua's LrMetadataTagsetFactory): the
photo's file name and its own rating, flag-relevant fields and caption beside the model's
suggestions, so current and suggested values are read side by side.
Field names: Lightroom's own as "com.adobe.*", the plug-in's as "<toolkit id>.<field id>".
]]
local prefix = "com.junmai.autodev."

return {
  id = "junmaiSuggestions",
  title = LOC "$$$/Junmai/Tagset/Title=Junmai AI suggestions",
  items = {
    "com.adobe.filename",
    "com.adobe.title",
    "com.adobe.caption",
    "com.adobe.rating",
    "com.adobe.separator",
    { "com.adobe.label", label = LOC "$$$/Junmai/Tagset/Suggested=Suggested by AI" },
    prefix .. "aiRating",
    prefix .. "aiFlag",
    prefix .. "aiTitle",
    prefix .. "aiCaption",
    prefix .. "aiKeywords",
    prefix .. "aiReasons",
    "com.adobe.separator",
    prefix .. "aiModel",
    prefix .. "aiRun",
    prefix .. "aiWhen",
  },
}
