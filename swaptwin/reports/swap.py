"""placeholder while building"""
def write_swap_report(out_dir, recording, *, render, gif_frames):
    return None
