import type { Command } from '../command.js';
import { cancel } from './cancel.js';
import { compare } from './compare.js';
import { current } from './current.js';
import { dashboard } from './dashboard.js';
import { downloads } from './downloads.js';
import { evaluate } from './evaluate.js';
import { exportCmd } from './export.js';
import { hardware } from './hardware.js';
import { help } from './help.js';
import { importCmd } from './import.js';
import { info } from './info.js';
import { list } from './list.js';
import { logs } from './logs.js';
import { pull } from './pull.js';
import { recommend } from './recommend.js';
import { resume } from './resume.js';
import { rm } from './rm.js';
import { serve } from './serve.js';
import { service } from './service.js';
import { stats } from './stats.js';
import { status } from './status.js';
import { switchModel } from './switch.js';
import { sync } from './sync.js';

/** In the order `junmai help` lists them: the everyday ones first. */
export const COMMANDS: readonly Command[] = [
  status, list, current, info, switchModel, evaluate, compare, pull, rm, downloads, cancel, resume, recommend, stats, hardware, dashboard, sync, exportCmd, importCmd, serve, service, logs, help,
];
