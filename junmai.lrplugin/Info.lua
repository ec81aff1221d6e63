--[[
What Lightroom Classic reads to load Junmai AutoDev. The menu entries appear twice on purpose:
Library › Plug-in Extras and File › Plug-in Extras, so they are reachable from every module.
]]
local menuItems = {
  {
    title = LOC "$$$/Junmai/Menu/ChooseModel=Choose AI Model^U+2026",
    file = "ChooseModelMenuItem.lua",
  },
  {
    title = LOC "$$$/Junmai/Menu/Downloads=AI Model Downloads^U+2026",
    file = "DownloadsMenuItem.lua",
  },
  {
    title = LOC "$$$/Junmai/Menu/EvaluateSelected=Evaluate Selected Photos with AI^U+2026",
    file = "EvaluateSelectedMenuItem.lua",
  },
  {
    title = LOC "$$$/Junmai/Menu/CompareModels=Compare AI Models on Selected Photos^U+2026",
    file = "CompareModelsMenuItem.lua",
  },
  {
    title = LOC "$$$/Junmai/Menu/Review=Review AI Suggestions^U+2026",
    file = "ReviewMenuItem.lua",
  },
  {
    title = LOC "$$$/Junmai/Menu/Discard=Discard AI Suggestions^U+2026",
    file = "DiscardMenuItem.lua",
  },
  {
    title = LOC "$$$/Junmai/Menu/Undo=Undo AI Run^U+2026",
    file = "UndoRunMenuItem.lua",
  },
}

return {
  LrSdkVersion = 13.0,
  LrSdkMinimumVersion = 10.0,
  LrToolkitIdentifier = "com.junmai.autodev",
  LrPluginName = LOC "$$$/Junmai/PluginName=Junmai AutoDev",
  LrPluginInfoProvider = "PluginInfoProvider.lua",
  LrInitPlugin = "Init.lua",
  LrLibraryMenuItems = menuItems,
  LrExportMenuItems = menuItems,
  -- The post-process action "Junmai AI Evaluation" in the export dialog.
  LrExportFilterProvider = {
    {
      title = LOC "$$$/Junmai/Export/FilterTitle=Junmai AI Evaluation",
      file = "EvaluationFilterProvider.lua",
      id = "junmaiEvaluation",
    },
  },
  LrShutdownApp = "Shutdown.lua",
  -- The model's suggestions beside each photo, and the Metadata panel's tagset showing them.
  LrMetadataProvider = "JunmaiMetadata.lua",
  LrMetadataTagsetFactory = "JunmaiTagset.lua",
  VERSION = { major = 0, minor = 1, revision = 0, build = 1, display = "0.1.0" },
}
