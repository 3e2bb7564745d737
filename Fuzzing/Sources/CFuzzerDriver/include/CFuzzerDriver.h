// libFuzzer's driver, from compiler-rt's libclang_rt.fuzzer_no_main (linked by
// Scripts/fuzz.sh): it parses libFuzzer's options from argv and calls `callback` with each
// input. Each fuzz target's main calls it, since SwiftPM gives executables their own main.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
