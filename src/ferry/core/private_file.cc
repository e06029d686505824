#include "ferry/core/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry {
namespace {

constexpr mode_t kPrivateMode = S_IRUSR | S_IWUSR;
constexpr mode_t kSharedBits = S_IRWXG | S_IRWXO;

Error system_error(const std::string& what, const std::string& path) {
  return Error{Errc::internal, "cannot " + what + " " + path + ": " + std::strerror(errno)};
}

// Narrows the mode of the open file `fd` (which is `path`) to 0600 if it shares anything.
Status narrow(int fd, const std::string& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return system_error("inspect", path);
  if (!S_ISREG(info.st_mode)) {
    return Error{Errc::internal, path + " is not a regular file"};
  }
  if ((info.st_mode & kSharedBits) == 0) return ok();
  if (::fchmod(fd, kPrivateMode) != 0) return system_error("restrict the permissions of", path);
  return ok();
}

// Opens `path` (with `flags`), narrows it and closes it. ENOENT is reported to the caller.
Status open_and_narrow(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, kPrivateMode);
  if (fd < 0) return system_error("open", path);
  Status narrowed = narrow(fd, path);
  ::close(fd);
  return narrowed;
}

}  // namespace

Status make_private_file(const std::string& path) {
  // Without O_TRUNC an existing file keeps its content; O_CREAT applies 0600 (less the
  // umask, which can only narrow it further) to a new one.
  return open_and_narrow(path, O_RDWR | O_CREAT);
}

Status narrow_if_present(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return errno == ENOENT ? ok() : system_error("inspect", path);
  }
  return open_and_narrow(path, O_RDONLY);
}

}  // namespace ferry
