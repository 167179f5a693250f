// The main() of the fuzz targets when they are not built with libFuzzer (the default toolchain):
// runs LLVMFuzzerTestOneInput once per file named on the command line (directories are walked),
// so every fuzz target also builds and runs as a plain regression test over its corpus.
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>


extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int RunPath(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    fprintf(stderr, "fuzz replay: %s is missing\n", path.c_str());
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    int count = 0;
    DIR* directory = opendir(path.c_str());
    if (directory == nullptr) return 0;
    while (const struct dirent* entry = readdir(directory)) {
      if (entry->d_name[0] == '.') continue;
      count += RunPath(path + "/" + entry->d_name);
    }
    closedir(directory);
    return count;
  }
  std::ifstream file(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int inputs = 0;
  for (int i = 1; i < argc; ++i) inputs += RunPath(argv[i]);
  printf("fuzz replay: %d inputs ran\n", inputs);
  return inputs > 0 ? 0 : 1;
}
