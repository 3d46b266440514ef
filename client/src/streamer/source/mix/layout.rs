//! Where each input of a mix goes: a grid of near-square tiles, and each
//! picture fitted into its tile with its shape kept. Plain arithmetic,
//! tested natively.

/// A rectangle of the mixed picture, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Tile {
    /// The tile's centre (rounded down).
    pub fn centre(&self) -> (u32, u32) {
        (self.x + self.width / 2, self.y + self.height / 2)
    }
}

/// Columns and rows of a grid for `count` inputs: as many columns as
/// the square root rounded up, then as many rows as needed (2 → 2×1,
/// 3 and 4 → 2×2, 5 and 6 → 3×2, 9 → 3×3).
pub fn grid_shape(count: usize) -> (u32, u32) {
    if count == 0 {
        return (0, 0);
    }
    let mut columns = 1;
    while columns * columns < count {
        columns += 1;
    }
    let rows = count.div_ceil(columns);
    (columns as u32, rows as u32)
}

/// The tiles of `count` inputs on a `width`×`height` picture, left to
/// right then top to bottom; their edges meet exactly (no gaps, no
/// overlap), the rounding spread over the tiles.
pub fn grid(count: usize, width: u32, height: u32) -> Vec<Tile> {
    let (columns, rows) = grid_shape(count);
    let edge = |i: u32, parts: u32, length: u32| {
        (u64::from(i) * u64::from(length) / u64::from(parts)) as u32
    };
    (0..count as u32)
        .map(|i| {
            let (column, row) = (i % columns, i / columns);
            let (x, y) = (edge(column, columns, width), edge(row, rows, height));
            Tile {
                x,
                y,
                width: edge(column + 1, columns, width) - x,
                height: edge(row + 1, rows, height) - y,
            }
        })
        .collect()
}

/// Where a `width`×`height` picture goes in `tile`: as large as fits with
/// its shape kept, centred (bars on two sides when the shapes differ).
pub fn fit(width: u32, height: u32, tile: Tile) -> Tile {
    if width == 0 || height == 0 || tile.width == 0 || tile.height == 0 {
        return Tile {
            width: 0,
            height: 0,
            ..tile
        };
    }
    let (w, h) = (u64::from(width), u64::from(height));
    let (tw, th) = (u64::from(tile.width), u64::from(tile.height));
    // Wider than the tile: full width; else full height.
    let (fw, fh) = match w * th >= h * tw {
        true => (tw, (h * tw / w).max(1)),
        false => ((w * th / h).max(1), th),
    };
    Tile {
        x: tile.x + ((tw - fw) / 2) as u32,
        y: tile.y + ((th - fh) / 2) as u32,
        width: fw as u32,
        height: fh as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_are_near_square() {
        let shapes: Vec<_> = (0..=10).map(grid_shape).collect();
        assert_eq!(
            shapes,
            [
                (0, 0),
                (1, 1),
                (2, 1),
                (2, 2),
                (2, 2),
                (3, 2),
                (3, 2),
                (3, 3),
                (3, 3),
                (3, 3),
                (4, 3)
            ]
        );
    }

    #[test]
    fn four_inputs_make_quarters() {
        let tiles = grid(4, 640, 480);
        let quarter = |x, y| Tile {
            x,
            y,
            width: 320,
            height: 240,
        };
        assert_eq!(
            tiles,
            [
                quarter(0, 0),
                quarter(320, 0),
                quarter(0, 240),
                quarter(320, 240)
            ]
        );
        assert_eq!(tiles[3].centre(), (480, 360));
    }

    #[test]
    fn tiles_cover_the_picture_once_whatever_the_rounding() {
        for count in 1..=16 {
            for (width, height) in [(640, 480), (641, 479), (7, 5), (1280, 720)] {
                let tiles = grid(count, width, height);
                assert_eq!(tiles.len(), count);
                let mut covered = vec![0u8; (width * height) as usize];
                for tile in &tiles {
                    assert!(tile.width > 0 && tile.height > 0, "{count} {tile:?}");
                    for y in tile.y..tile.y + tile.height {
                        for x in tile.x..tile.x + tile.width {
                            covered[(y * width + x) as usize] += 1;
                        }
                    }
                }
                let (columns, rows) = grid_shape(count);
                let full = count as u32 == columns * rows;
                assert!(covered.iter().all(|&c| c <= 1), "{count} overlaps");
                if full {
                    assert!(covered.iter().all(|&c| c == 1), "{count} leaves gaps");
                }
            }
        }
    }

    #[test]
    fn pictures_keep_their_shape_inside_the_tile() {
        let tile = Tile {
            x: 320,
            y: 0,
            width: 320,
            height: 240,
        };
        assert_eq!(fit(640, 480, tile), tile);
        // 16:9 into 4:3: bars above and below.
        assert_eq!(
            fit(1280, 720, tile),
            Tile {
                x: 320,
                y: 30,
                width: 320,
                height: 180
            }
        );
        // Portrait: bars left and right.
        assert_eq!(
            fit(480, 640, tile),
            Tile {
                x: 390,
                y: 0,
                width: 180,
                height: 240
            }
        );
        assert_eq!(fit(0, 480, tile).width, 0);
        assert_eq!(fit(100_000, 1, tile).height, 1);
    }
}
