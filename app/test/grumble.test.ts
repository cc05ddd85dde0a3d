import assert from "node:assert/strict";
import { countGraphemes, validateGrumbleText } from "../src/domain/grumble";

describe("grumble text rules", () => {
  it("accepts 1 and 20 graphemes, refuses 0 and 21", () => {
    assert.equal(validateGrumbleText("あ").ok, true);
    assert.equal(validateGrumbleText("あ".repeat(20)).ok, true);
    assert.deepEqual(validateGrumbleText(""), { ok: false, problem: "empty", message: "ボヤキを入力してください。" });
    const tooLong = validateGrumbleText("あ".repeat(21));
    assert.equal(tooLong.ok, false);
    assert.equal(!tooLong.ok && tooLong.problem, "too_long");
  });

  it("counts an emoji ZWJ sequence as one character", () => {
    assert.equal(countGraphemes("👨‍👩‍👧‍👦"), 1);
    assert.equal(validateGrumbleText("👨‍👩‍👧‍👦".repeat(20)).ok, true);
  });
});
