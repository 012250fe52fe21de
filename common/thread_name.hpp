// Names for the process's threads, as `top -H`, `ps -L`, gdb and perf show them: which thread
// is busy (the server's I/O, the accept commits, the worker, the log) is then readable without
// a debugger.
#pragma once

#include <string_view>

namespace switchyard::common {

// Names the calling thread; Linux keeps the first 15 bytes. A name that cannot be set is no
// error: the thread runs the same.
void name_this_thread(std::string_view name);

}  // namespace switchyard::common
