// Shared helpers of the medlens oneDNN addon: one CPU engine and stream, a shape-keyed cache of
// primitives (creating a oneDNN primitive costs far more than running a small one), and the
// reorder-if-needed step between tfjs' plain layouts and the layouts oneDNN picks.
#pragma once
#include <memory>
#include <string>
#include <unordered_map>
#include <oneapi/dnnl/dnnl.hpp>

namespace medlens {

dnnl::engine &cpuEngine();
dnnl::stream &cpuStream();

// Opaque cached state; each kernel file defines its own entry struct deriving from this.
struct CacheEntry {
  virtual ~CacheEntry() = default;
};

// Returns the entry cached under `key`, or nullptr.
CacheEntry *cacheGet(const std::string &key);
// Stores `entry` under `key` (the cache is cleared when it grows past a bound, so that a
// process feeding ever-new shapes cannot grow without limit).
CacheEntry *cachePut(const std::string &key, std::unique_ptr<CacheEntry> entry);
size_t cacheSize();

// Key from integer parameters.
std::string makeKey(const char *kind, const int *p, int n);

// Activation codes shared with TypeScript (src/backend/native-addon.ts).
enum Activation { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_ELU = 3, ACT_LEAKYRELU = 4, ACT_SIGMOID = 5 };
// Appends the activation as an eltwise post-op; returns false for an unknown code.
bool appendActivation(dnnl::post_ops &po, int act, float alpha);

// A user buffer wrapped as `userMd`; when the primitive wants `wantMd`, reorders into (or, for
// outputs, out of) a scratch buffer owned by `scratch`.
struct Staged {
  dnnl::memory user;
  dnnl::memory used;
  bool reordered = false;
};
Staged stageInput(const dnnl::memory::desc &userMd, const dnnl::memory::desc &wantMd, void *ptr,
                  std::unique_ptr<dnnl::memory> &scratch);
Staged stageOutput(const dnnl::memory::desc &userMd, const dnnl::memory::desc &wantMd, void *ptr,
                   std::unique_ptr<dnnl::memory> &scratch);
void finishOutput(Staged &s);

}  // namespace medlens
