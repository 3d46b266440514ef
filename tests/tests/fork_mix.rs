//! Forks and mixes end to end in the demo's fork and mix pages, on the
//! fake camera: a fork's branches each show their own processor's output
//! of the one camera (asked for once), frame by frame as the processor
//! makes it natively, and one branch stops without the other; a mix puts
//! its inputs at their places in the grid, the camera opened once however
//! many tiles show it.

use std::time::Duration;

use framewise_e2e::camera::{grab_videos, grid, open, processed_errors, wait_playing, Picture};
use framewise_e2e::webdriver::Browser;
use framewise_e2e::FAKE_CAMERA;

/// The fork page on the fake camera: invert and grayscale.
const FORK: &str = "/?page=fork&branches=invert,grayscale&autostart=1";
/// The branches' output videos.
const BRANCH_OUTPUTS: [&str; 2] = ["#fork-0 video.fw-output", "#fork-1 video.fw-output"];

fn gum_calls(browser: &Browser) -> u64 {
    let calls = browser.execute("return window.__fwGumCalls", &[]);
    calls.ok().and_then(|v| v.as_u64()).unwrap_or(0)
}

/// Waits until the page's `data-{name}` is `want`.
fn wait_data(browser: &Browser, name: &str, want: &str) {
    let script = format!("return document.body.dataset.{name} === '{want}' ? true : null");
    let waited = browser.wait_for(&script, Duration::from_secs(20));
    let now = browser.execute(&format!("return document.body.dataset.{name}"), &[]);
    assert!(waited.is_ok(), "data-{name} is {now:?}, not {want}");
}

/// Grabs both branches on 20 frames and checks each against its processor.
fn assert_branches(browser: &Browser, branches: &[(usize, &str)]) {
    let points = grid(40);
    let selectors: Vec<&str> = branches.iter().map(|&(i, _)| BRANCH_OUTPUTS[i]).collect();
    let shots = grab_videos(browser, &selectors, &points, 20, FAKE_CAMERA.1);
    for (side, &(branch, processor)) in branches.iter().enumerate() {
        let pictures: Vec<&Picture> = shots.iter().filter_map(|s| s[side].as_ref()).collect();
        let (median, p99, distinct) = processed_errors(processor, &pictures, &points);
        println!("branch {branch} ({processor}): median {median}, p99 {p99}, {distinct} frames");
        assert!(
            median <= 6 && p99 <= 48,
            "branch {branch} is not {processor} of the camera: median {median}, p99 {p99}"
        );
        assert!(
            distinct >= 5,
            "branch {branch} showed {distinct} frames in 20 grabs"
        );
    }
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_fork_runs_each_branch_on_one_camera_and_stops_them_apart() {
    let (_server, browser) = open(FORK);
    wait_data(&browser, "fork0State", "playing");
    wait_data(&browser, "fork1State", "playing");
    browser
        .wait_for(
            "return [...document.querySelectorAll('video.fw-output')].every(v => v.videoWidth > 0) || null",
            Duration::from_secs(20),
        )
        .expect("the branches' outputs never played");
    assert_eq!(
        gum_calls(&browser),
        1,
        "the camera was opened more than once"
    );
    assert_branches(&browser, &[(0, "invert"), (1, "grayscale")]);

    // Branch 2 stops; branch 1 and the camera go on.
    browser
        .click("#fork-1 .fw-stop")
        .expect("clicking branch 2's STOP");
    wait_data(&browser, "fork1State", "idle");
    assert_branches(&browser, &[(0, "invert")]);
    let live = "return window.__fwTracks.filter(t => t.readyState === 'live').length";
    let live_tracks = browser.execute(live, &[]).expect("reading the tracks");
    assert_eq!(live_tracks, 1, "the camera must stay open for branch 1");

    // The last reader stops: the camera goes off.
    browser
        .click("#fork-0 .fw-stop")
        .expect("clicking branch 1's STOP");
    wait_data(&browser, "fork0State", "idle");
    let off = browser.wait_for(&format!("{live} === 0 || null"), Duration::from_secs(5));
    assert!(
        off.is_ok(),
        "the camera stayed on after every branch stopped"
    );
    assert_eq!(gum_calls(&browser), 1);
}

/// The mix's output (and raw input) at `points`, on its last grabbed
/// frame with a picture.
fn mixed(browser: &Browser, points: &[(u32, u32)]) -> (Picture, Picture) {
    let selectors = ["#mix video.fw-input", "#mix video.fw-output"];
    let shots = grab_videos(browser, &selectors, points, 5, 480);
    let mut last = shots
        .into_iter()
        .filter_map(|mut s| Some((s[0].take()?, s[1].take()?)));
    last.next_back().expect("the mix never showed a picture")
}

fn assert_near(got: [i64; 3], want: [i64; 3], what: &str) {
    let off = (0..3).map(|c| (got[c] - want[c]).abs()).max().unwrap_or(0);
    assert!(off <= 24, "{what}: {got:?}, expected {want:?}");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_mix_puts_each_input_in_its_tile() {
    let (_server, browser) =
        open("/?page=mix&inputs=ff0000,00ff00,0000ff,ffffff&processor=invert&autostart=1");
    wait_playing(&browser);
    // Each tile's centre, and points 10 px either side of the inner edges.
    let points = [
        (160, 120),
        (480, 120),
        (160, 360),
        (480, 360),
        (310, 120),
        (330, 120),
        (160, 230),
        (160, 250),
    ];
    let (input, output) = mixed(&browser, &points);
    assert_eq!(output.size, (640, 480), "the mix is not 640×480");
    let [red, green, blue, white] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
    let inverted = |c: [i64; 3]| c.map(|v| 255 - v);
    let want = [red, green, blue, white, red, green, red, blue];
    for (i, (&point, &colour)) in points.iter().zip(&want).enumerate() {
        assert_near(input.px[i], colour, &format!("input at {point:?}"));
        assert_near(
            output.px[i],
            inverted(colour),
            &format!("output at {point:?}"),
        );
    }
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_mix_shows_one_camera_in_two_tiles_and_leaves_the_spare_tile_black() {
    let (_server, browser) = open("/?page=mix&inputs=camera,camera,pattern&autostart=1");
    wait_playing(&browser);
    assert_eq!(
        gum_calls(&browser),
        1,
        "the camera was opened for each tile"
    );
    // Below the strips, on a 20 px grid of the top-left tile, and the same
    // points in the top-right one.
    let left: Vec<(u32, u32)> = (30..240)
        .step_by(20)
        .flat_map(|y| (10..320).step_by(20).map(move |x| (x, y)))
        .collect();
    let right: Vec<(u32, u32)> = left.iter().map(|&(x, y)| (x + 320, y)).collect();
    let spare = [(480, 360), (340, 250), (630, 470)];
    let points: Vec<(u32, u32)> = left.iter().chain(&right).chain(&spare).copied().collect();
    let (_, output) = mixed(&browser, &points);
    let n = left.len();
    let mut differences: Vec<i64> = (0..n)
        .flat_map(|i| (0..3).map(move |c| (i, c)))
        .map(|(i, c)| (output.px[i][c] - output.px[n + i][c]).abs())
        .collect();
    differences.sort_unstable();
    let median = differences[differences.len() / 2];
    println!("camera tiles differ by median {median}");
    assert!(
        median <= 8,
        "the two camera tiles show different pictures (median {median})"
    );
    let spread = {
        let lumas: Vec<i64> = output.px[..n].iter().map(|p| p.iter().sum()).collect();
        lumas.iter().max().unwrap_or(&0) - lumas.iter().min().unwrap_or(&0)
    };
    assert!(
        spread > 150,
        "the camera tile is flat (spread {spread}): no camera in it"
    );
    for (i, point) in spare.iter().enumerate() {
        assert_near(
            output.px[2 * n + i],
            [0, 0, 0],
            &format!("spare tile at {point:?}"),
        );
    }
}
