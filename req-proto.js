const cache = require('./dist/cli/compile-cache');
cache.enableModuleCompileCache(cache.compileCacheDir(__dirname));
require('protobufjs/light');
const a = process.cpuUsage();
require('@temporalio/proto');
const d = process.cpuUsage(a); console.log('proto', ((d.user + d.system) / 1000).toFixed(0), 'ms');
