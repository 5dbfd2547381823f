/// The parser's stack of finished elements whose container is still open.
///
/// When the container closes, its elements are moved (not copied) into an array of exactly their count:
/// no reference count traffic per element, no geometric over-allocation in the result. The executor keeps
/// some parsed documents (the TaskInfo) for its whole life, so exact sizes are memory saved for good.
struct JSONMovingStack<Element>: ~Copyable {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 16
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    mutating func push(_ element: consuming Element) {
        if count == capacity {
            grow()
        }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// Moves the elements from `start` to the top into a new array, leaving the stack `start` deep.
    mutating func popArray(from start: Int) -> [Element] {
        var elements: [Element] = []
        // Appending moved values: `Array(unsafeUninitializedCapacity:)` would be the obvious tool, but it is
        // not specialized and looks up the array's type metadata at run time on every call.
        elements.reserveCapacity(count - start)
        for index in start..<count {
            elements.append((storage + index).move())
        }
        count = start
        return elements
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }
}
