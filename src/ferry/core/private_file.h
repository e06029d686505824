#pragma once

#include <string>

#include "ferry/core/result.h"

namespace ferry {

// Files that hold tokens or may quote them (the database, its WAL and shared-memory files,
// the log file) are readable by their owner only, whatever the process umask says.
//
// Creates `path` empty with mode 0600 when it does not exist; when it exists and grants any
// permission to group or others, narrows it to 0600 (owner read/write). Never truncates;
// refuses a path that is not a regular file. Errc::internal naming the path and the system
// error when the file cannot be created or its mode changed.
Status make_private_file(const std::string& path);

// Like make_private_file, but only narrows the mode of a file that exists; creates nothing.
Status narrow_if_present(const std::string& path);

}  // namespace ferry
