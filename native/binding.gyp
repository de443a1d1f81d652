{
  "targets": [
    {
      "target_name": "cvr_native",
      "sources": ["src/addon.cc"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fno-math-errno", "-fexceptions", "-fopenmp"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl", "-lgomp"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
