-- Loaded by busted before any spec (see .busted): the Lightroom SDK shim and its globals.
package.path = "test/plugin/?.lua;test/plugin/?/init.lua;" .. package.path
require "sdk"
