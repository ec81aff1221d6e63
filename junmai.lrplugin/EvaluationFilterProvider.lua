--[[
The export post-process action "Junmai AI Evaluation" (Info.lua LrExportFilterProvider): a
section in the export dialog, and the evaluation of every exported photo (EvaluationExport).
Its choices are export settings, so they are kept in export presets.
]]
local EvaluationExport = require "EvaluationExport"
local EvaluationOptions = require "EvaluationOptions"
local EvaluationView = require "EvaluationView"

return {
  exportPresetFields = EvaluationOptions.presetFields(),

  sectionForFilterInDialog = function(f, propertyTable)
    return EvaluationView.exportSection(f, propertyTable)
  end,

  postProcessRenderedPhotos = function(functionContext, filterContext)
    EvaluationExport.postProcess(functionContext, filterContext)
  end,
}
