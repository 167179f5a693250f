#include "tests/integration/iface_cases.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>

#include "tests/support/fatal.h"
#include "tests/support/files.h"
#include "tests/support/special_files.h"

namespace phantun_test {
namespace {

constexpr char kOldName[] = "old-name-that-is-longer";

void AtIface(IfacePlace* place) { place->path = place->dir().Join("iface"); }

void Directory(IfacePlace* place) {
  AtIface(place);
  MakeDirectory(place->path);
}

// Without a reader, a blocking open for writing would hang forever.
void Fifo(IfacePlace* place) {
  AtIface(place);
  MakeFifo(place->path);
}

// With a reader, an open for writing would succeed and a write would arrive: the reader shows that
// none did.
void FifoWithReader(IfacePlace* place) {
  Fifo(place);
  place->fifo_reader.Reset(open(place->path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!place->fifo_reader) FatalSystemError("open FIFO for reading " + place->path);
}

void Socket(IfacePlace* place) {
  AtIface(place);
  MakeSocketNode(place->path);
}

void CharDevice(IfacePlace* place) {
  AtIface(place);
  MakeDeviceNode(place->path, S_IFCHR, 1, 3);  // /dev/null's numbers: writing would succeed
}

void BlockDevice(IfacePlace* place) {
  AtIface(place);
  MakeDeviceNode(place->path, S_IFBLK, 7, 0);  // loop0's numbers
}

// The link's target holds a name of its own that must stay.
void SymlinkToRegularFile(IfacePlace* place) {
  AtIface(place);
  const std::string target = place->dir().Join("target");
  WriteFile(target, kOldName, 0644);
  MakeSymlink(target, place->path);
  place->watched.push_back(target);
}

// Following the link would create its target.
void DanglingSymlink(IfacePlace* place) {
  AtIface(place);
  const std::string target = place->dir().Join("target");
  MakeSymlink(target, place->path);
  place->watched.push_back(target);
}

// A relative link, resolved against the link's own directory.
void RelativeSymlink(IfacePlace* place) {
  AtIface(place);
  WriteFile(place->dir().Join("target"), kOldName, 0644);
  MakeSymlink("target", place->path);
  place->watched.push_back(place->dir().Join("target"));
}

void MissingParent(IfacePlace* place) { place->path = place->dir().Join("missing/iface"); }

void ParentIsARegularFile(IfacePlace* place) {
  WriteFile(place->dir().Join("file"), kOldName, 0644);
  place->path = place->dir().Join("file/iface");
  place->watched.push_back(place->dir().Join("file"));
}

// dir/ro bound read-only onto itself in a private mount namespace.
void ReadOnly(IfacePlace* place, bool existing) {
  const std::string ro = place->dir().Join("ro");
  MakeDirectory(ro);
  place->path = ro + "/iface";
  if (existing) WriteFile(place->path, kOldName, 0644);
  place->ns = std::make_unique<MountNamespace>([ro] { return BindReadOnly(ro); });
}
void ReadOnlyExistingFile(IfacePlace* place) { ReadOnly(place, true); }
void ReadOnlyNewFile(IfacePlace* place) { ReadOnly(place, false); }

// A one-page tmpfs, filled up, in a private mount namespace. A file that already held a name is not
// a case here: emptying it first frees the page the new name then goes into (see
// iface_handoff_file_test.cc); the file-size limit below covers an old name and a failed write.
void Full(IfacePlace* place, bool existing) {
  const std::string full = place->dir().Join("full");
  MakeDirectory(full);
  place->path = full + "/iface";
  const std::string path = place->path;
  place->ns = std::make_unique<MountNamespace>([full, path, existing] {
    std::string error = MountTmpfs(full, "size=4k");
    if (error.empty() && existing) error = PutFile(path, "");
    if (error.empty()) error = FillUp(full + "/filler");
    return error;
  });
  place->watched.push_back(full + "/filler");
}
void FullFileSystemEmptyFile(IfacePlace* place) { Full(place, true); }
void FullFileSystemNewFile(IfacePlace* place) { Full(place, false); }

// Root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: file permissions then bind it too.
void WithoutDacOverride(IfacePlace* place) {
  place->dropped_capabilities = {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH};
}

void NoPermissionExistingFile(IfacePlace* place) {
  AtIface(place);
  WriteFile(place->path, kOldName, 0444);
  WithoutDacOverride(place);
}

void NoPermissionInDirectory(IfacePlace* place) {
  const std::string locked = place->dir().Join("locked");
  MakeDirectory(locked);
  if (chmod(locked.c_str(), 0555) != 0) FatalSystemError("chmod " + locked);
  place->path = locked + "/iface";
  WithoutDacOverride(place);
}

// RLIMIT_FSIZE of 4 bytes: the write of kIfaceName stops after 4 of them, a real partial write
// that must not stay.
void FileSizeLimitOverAnOldName(IfacePlace* place) {
  AtIface(place);
  WriteFile(place->path, kOldName, 0644);
  place->file_size_limit = 4;
}

}  // namespace

std::vector<IfaceFileCase> RefusedKinds() {
  return {
      {"Directory", Directory, "is a directory", true},
      {"Fifo", Fifo, "is a FIFO", true},
      {"FifoWithReader", FifoWithReader, "is a FIFO", true},
      {"Socket", Socket, "is a socket", true},
      {"CharacterDevice", CharDevice, "is a device", true},
      {"BlockDevice", BlockDevice, "is a device", true},
      {"SymlinkToRegularFile", SymlinkToRegularFile, "is a symbolic link", true},
      {"RelativeSymlink", RelativeSymlink, "is a symbolic link", true},
      {"DanglingSymlink", DanglingSymlink, "is a symbolic link", true},
  };
}

std::vector<IfaceFileCase> FailedWrites() {
  return {
      {"MissingParent", MissingParent, "No such file or directory", false},
      {"ParentIsARegularFile", ParentIsARegularFile, "Not a directory", true},
      {"ReadOnlyExistingFile", ReadOnlyExistingFile, "Read-only file system", true},
      {"ReadOnlyNewFile", ReadOnlyNewFile, "Read-only file system", false},
      {"FullFileSystemEmptyFile", FullFileSystemEmptyFile, "No space left on device", false},
      {"FullFileSystemNewFile", FullFileSystemNewFile, "No space left on device", false},
      {"NoPermissionExistingFile", NoPermissionExistingFile, "Permission denied", true},
      {"NoPermissionInDirectory", NoPermissionInDirectory, "Permission denied", false},
      {"FileSizeLimitOverAnOldName", FileSizeLimitOverAnOldName, "short write", false},
  };
}

std::string CaseName(const ::testing::TestParamInfo<IfaceFileCase>& info) { return info.param.name; }

}  // namespace phantun_test
