@testable import Tributary
import Foundation
import Glibc
import Testing

@Suite struct CheckpointLockTests {
    @Test func secondAcquireInSameProcessFailsNamingPid() throws {
        try withScratchFolder { folder in
            let lock = try CheckpointLock.acquire(directory: folder)
            let error = #expect(throws: CheckpointError.self) { try CheckpointLock.acquire(directory: folder) }
            #expect(error?.code == .locked)
            #expect(error?.message.contains("checkpoint \(folder) is in use by another Tributary process") == true)
            #expect(error?.message.contains("pid \(getpid()), since ") == true)
            #expect(error?.message.contains("stop it first or use another checkpoint_dir") == true)
            lock.release()
            #expect(!lock.isHeld)
            let again = try CheckpointLock.acquire(directory: folder)
            #expect(again.isHeld)
        }
    }

    @Test func childProcessCannotLockWhileHeld() throws {
        try withScratchFolder { folder in
            let lock = try CheckpointLock.acquire(directory: folder)
            #expect(try flockInChild(folder + "/lock") == 1)
            lock.release()
            #expect(try flockInChild(folder + "/lock") == 0)
        }
    }

    @Test func deinitReleases() throws {
        try withScratchFolder { folder in
            var lock: CheckpointLock? = try CheckpointLock.acquire(directory: folder)
            #expect(lock?.isHeld == true)
            lock = nil
            #expect(try flockInChild(folder + "/lock") == 0)
        }
    }

    @Test func lockFileRecordsHolder() throws {
        try withScratchFolder { folder in
            let lock = try CheckpointLock.acquire(directory: folder + "/created")
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: lock.path)))
            let holder = try #require(object as? [String: Any])
            #expect(holder["pid"] as? Int == Int(getpid()))
            #expect((holder["started"] as? String)?.contains("T") == true)
            #expect((holder["host"] as? String)?.isEmpty == false)
        }
    }

    private func flockInChild(_ path: String) throws -> Int32 {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        child.arguments = ["-n", path, "true"]
        try child.run()
        child.waitUntilExit()
        return child.terminationStatus
    }
}
